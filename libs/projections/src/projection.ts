import type { RecordedEvent } from '@agora/event-sourcing';
import type { EntityManager } from 'typeorm';

/**
 * A read model kept in PostgreSQL: the events of some categories, applied in order to the
 * tables of one schema. `apply` runs inside the transaction that also moves the
 * projection's checkpoint, so each event has its effect exactly once.
 *
 * Tables are named without their schema (entities carry no `schema`): the runner sets the
 * transaction's `search_path` to the projection's schema, which lets a rebuild fill fresh
 * copies of its tables in another schema while the live ones keep serving.
 */
export interface Projection {
  /** Names the projection and its checkpoint, e.g. `order.orders`. */
  readonly name: string;
  /** The PostgreSQL schema of its tables, created by the context's migrations. */
  readonly schema: string;
  readonly categories: readonly string[];
  /** The tables it fills, in its schema: what a rebuild copies and swaps. */
  readonly tables: readonly string[];
  /**
   * Applies the events; may answer the row each of their streams left (`RowsByStream`),
   * which the runner hands to whoever waits for those streams once the batch is committed.
   */
  apply(events: readonly RecordedEvent[], rows: EntityManager): Promise<RowsByStream | void>;
}

/**
 * The row a batch left for each stream whose events it applied, as committed: where one
 * stream fills one row, a long-poll woken by the batch takes its row from here instead of
 * reading it again.
 */
export type RowsByStream = ReadonlyMap<string, unknown>;

/** What a context contributes to the read side: its schema, TypeORM entities and migrations, and the projections that fill them. */
export interface ReadModel {
  readonly schema: string;
  /** Entity and migration classes, typed as TypeORM takes them. */
  readonly entities: readonly Function[];
  readonly migrations: readonly Function[];
  readonly projections: readonly Projection[];
}

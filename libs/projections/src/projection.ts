import type { Migration } from '@agora/platform';
import type { RecordedEvent } from '@agora/event-sourcing';
import { LRUCache } from 'lru-cache';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

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
   * `committed` is the runner's memory of the rows it committed (`CommittedRows`), for a
   * projection that can use it instead of reading them again.
   */
  apply(events: readonly RecordedEvent[], rows: EntityManager, committed?: CommittedRows): Promise<RowsByStream | void>;
  /**
   * Where a batch's writes are whole rows put in place (`RowUpserts`): what `apply` would
   * write, without writing it. The runner then writes the rows and moves the checkpoint
   * in one statement, so a batch costs one round trip and needs no transaction around it.
   * `read` reads rows of its tables as the batch finds them (the checkpoint's
   * compare-and-set refuses the batch if anyone applied events since).
   */
  plan?(events: readonly RecordedEvent[], read: ReadRows, committed?: CommittedRows): Promise<ProjectionPlan>;
}

/** Runs `read` on the projection's tables, in the schema the runner writes to. */
export type ReadRows = <T>(read: (rows: EntityManager) => Promise<T>) => Promise<T>;

/** The rows of one entity a batch puts in place: inserted, or replacing the row of the same key. */
export interface RowUpserts<Row extends ObjectLiteral = ObjectLiteral> {
  readonly entity: EntityTarget<Row>;
  /** The properties of the key the rows replace on (the entity's primary key). */
  readonly key: readonly (keyof Row & string)[];
  readonly rows: readonly Row[];
}

/** What a batch writes, and the row it left for each of its streams where the projection tells them. */
export interface ProjectionPlan {
  readonly upserts: readonly RowUpserts[];
  readonly rows?: RowsByStream;
}

/**
 * The rows one runner committed last, by key: what its next batches would otherwise read
 * again. A batch stages the rows it writes; they count once its transaction has
 * committed (`commit`), and are dropped if it did not (`discard`). The runner forgets it
 * all whenever it resumes from its checkpoint (a failure, a moved checkpoint, another
 * instance having run the projection), since someone else may have written the rows.
 */
export class CommittedRows {
  private readonly rows: LRUCache<string, { readonly row: unknown }>;
  private staged = new Map<string, unknown>();

  constructor(max = 10_000) {
    this.rows = new LRUCache({ max });
  }

  /** The row committed under `key` (`{ row: undefined }`: known to be absent), or `undefined` when not remembered. */
  get(key: string): { readonly row: unknown } | undefined {
    return this.staged.has(key) ? { row: this.staged.get(key) } : this.rows.get(key);
  }

  /** The row the batch under way leaves under `key`. */
  stage(key: string, row: unknown): void {
    this.staged.set(key, row);
  }

  /** The batch under way committed. */
  commit(): void {
    for (const [key, row] of this.staged) this.rows.set(key, { row });
    this.staged = new Map();
  }

  /** The batch under way did not commit (or starts again). */
  discard(): void {
    this.staged = new Map();
  }

  /** Forgets everything. */
  clear(): void {
    this.discard();
    this.rows.clear();
  }
}

/**
 * The row a batch left for each stream whose events it applied, as committed: where one
 * stream fills one row, a long-poll woken by the batch takes its row from here instead of
 * reading it again.
 */
export type RowsByStream = ReadonlyMap<string, unknown>;

/** What a context contributes to the read side: its schema, its TypeORM entities, its migrations, and the projections that fill them. */
export interface ReadModel {
  readonly schema: string;
  /** Entity classes, typed as TypeORM takes them. */
  readonly entities: readonly Function[];
  /** Its schema's migrations, in order, for the one runner (`migrate`, `readModelMigrations`). */
  readonly migrations: readonly Migration[];
  readonly projections: readonly Projection[];
}

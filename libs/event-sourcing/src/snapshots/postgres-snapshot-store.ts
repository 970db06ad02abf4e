import type pg from 'pg';
import { migrateEventStore, quotedSchema } from '../postgres/schema.js';
import type { Snapshot, SnapshotStore } from './snapshot-store.js';

export interface PostgresSnapshotStoreOptions {
  /** Schema of the event store whose streams are snapshotted; the table is one of its migrations. Default `event_store`. */
  readonly schema?: string;
}

/**
 * Snapshots in the table `snapshots` of the event store's schema, one row per stream (the
 * latest). It depends on nothing but the stream names, so hosts whose events live in
 * EventStoreDB keep their snapshots here too (docs/adr/0011).
 */
export class PostgresSnapshotStore implements SnapshotStore {
  private readonly schema: string;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresSnapshotStoreOptions = {},
  ) {
    this.schema = quotedSchema(options.schema ?? 'event_store');
  }

  /** Creates the table with the rest of the event store's schema; idempotent, as `PostgresEventStore.migrate`. */
  async migrate(): Promise<void> {
    await migrateEventStore(this.pool, this.schema.slice(1, -1));
  }

  async load(streamName: string): Promise<Snapshot | undefined> {
    const { rows } = await this.pool.query<{ revision: string; version: number; state: unknown }>({
      name: `${this.schema}.load-snapshot`,
      text: `SELECT revision, version, state FROM ${this.schema}.snapshots WHERE stream_name = $1`,
      values: [streamName],
    });
    const row = rows[0];
    return row && { streamName, revision: Number(row.revision), version: row.version, state: row.state };
  }

  async save({ streamName, revision, version, state }: Snapshot): Promise<void> {
    // The later revision wins; a snapshot of another state version is always replaced.
    await this.pool.query({
      name: `${this.schema}.save-snapshot`,
      text: `INSERT INTO ${this.schema}.snapshots AS s (stream_name, revision, version, state) VALUES ($1, $2, $3, $4)
             ON CONFLICT (stream_name) DO UPDATE SET revision = excluded.revision, version = excluded.version, state = excluded.state, taken_at = now()
             WHERE s.revision < excluded.revision OR s.version <> excluded.version`,
      values: [streamName, revision, version, JSON.stringify(state)],
    });
  }
}

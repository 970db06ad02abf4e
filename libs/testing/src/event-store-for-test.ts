import { PostgresEventStore } from '@agora/event-sourcing';
import pg from 'pg';
import { createTestDatabase } from './postgres.js';

export interface EventStoreForTest {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  /** Closes the store, then ends the pool. */
  close(): Promise<void>;
}

/** A test file's own database with the event store migrated in it, and a pool on it. */
export async function eventStoreForTest(name: string, options: { readonly max?: number; readonly pollIntervalMs?: number } = {}): Promise<EventStoreForTest> {
  const url = await createTestDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  const store = new PostgresEventStore(pool, { ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }) });
  await store.migrate();
  return {
    url,
    pool,
    store,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

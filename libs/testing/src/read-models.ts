import { PostgresEventStore } from '@agora/event-sourcing';
import { openReadModels, type ReadModel } from '@agora/projections';
import type pg from 'pg';
import { closePostgresPool, createPostgresPool } from '@agora/platform';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from './postgres.js';

export interface ReadSideForTest {
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly readModels: DataSource;
  close(): Promise<void>;
}

/** A fresh database with the event store and these read models migrated. */
export async function readSideForTest(name: string, readModel: Pick<ReadModel, 'schema' | 'entities' | 'migrations'>): Promise<ReadSideForTest> {
  const url = await createTestDatabase(name);
  const pool = createPostgresPool({ url, size: 10 });
  const store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
  await store.migrate();
  const readModels = await openReadModels({ url, readModels: [readModel] });
  return {
    pool,
    store,
    readModels,
    close: async () => {
      await readModels.destroy();
      await store.close();
      await closePostgresPool(pool);
    },
  };
}

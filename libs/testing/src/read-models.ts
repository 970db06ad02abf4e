import type { PostgresEventStore } from '@agora/event-sourcing';
import { openReadModels, type ReadModel } from '@agora/projections';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { eventStoreForTest } from './event-store-for-test.js';

export interface ReadSideForTest {
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  readonly readModels: DataSource;
  close(): Promise<void>;
}

/** A fresh database with the event store and these read models migrated. */
export async function readSideForTest(name: string, readModel: Pick<ReadModel, 'schema' | 'entities' | 'migrations'>): Promise<ReadSideForTest> {
  const { url, pool, store, close } = await eventStoreForTest(name, { pollIntervalMs: 50 });
  const readModels = await openReadModels({ url, readModels: [readModel] });
  return {
    pool,
    store,
    readModels,
    close: async () => {
      await readModels.destroy();
      await close();
    },
  };
}

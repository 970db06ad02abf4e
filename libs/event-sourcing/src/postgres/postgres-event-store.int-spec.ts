import pg from 'pg';
import { PostgresEventStore } from './postgres-event-store.js';
import { createTestDatabase } from '../../../testing/src/postgres.js';
import { describeEventStoreContract } from '../../../testing/src/event-store-contract.js';

const pools: pg.Pool[] = [];

describeEventStoreContract(
  'PostgresEventStore',
  async () => {
    const pool = new pg.Pool({ connectionString: await createTestDatabase('event_store'), max: 20 });
    pools.push(pool);
    const store = new PostgresEventStore(pool);
    await store.migrate();
    return store;
  },
  async (store) => {
    await store.close();
    await Promise.all(pools.map((pool) => pool.end()));
  },
);

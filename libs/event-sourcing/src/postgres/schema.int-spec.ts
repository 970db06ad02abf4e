import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { requestContext, withMetadata } from '../message-context.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { eventStoreMigrations } from './schema.js';
import { createTestDatabase } from '../../../testing/src/postgres.js';

// An event store created before the one migration runner: its migrations recorded in its own table.
describe('an event store of the previous version', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('event_store_previous'), max: 5 });
    const previous = eventStoreMigrations('shop_log').migrations.filter((migration) => migration.name !== '0000-schema');
    await pool.query('CREATE SCHEMA shop_log; CREATE TABLE shop_log.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const migration of previous) {
      await pool.query(migration.up as string);
      await pool.query('INSERT INTO shop_log.migrations (name) VALUES ($1)', [migration.name]);
    }
    const store = new PostgresEventStore(pool, { schema: 'shop_log' });
    await store.appendToStream('parcel-1', [withMetadata({ type: 'parcel.packed.v1', data: { kilograms: 2 } }, requestContext(), new Date())], 'no-stream');
    await store.close();
  });
  afterAll(() => pool.end());

  it('is taken over by the runner without running its migrations again, and keeps its events', async () => {
    const store = new PostgresEventStore(pool, { schema: 'shop_log' });
    try {
      await store.migrate();
      const { rows } = await pool.query<{ name: string }>("SELECT name FROM platform.migrations WHERE schema_name = 'shop_log' ORDER BY name");
      expect(rows.map((row) => row.name)).toEqual(eventStoreMigrations('shop_log').migrations.map((migration) => migration.name).sort());
      expect((await store.readStream('parcel-1')).map((event) => event.data)).toEqual([{ kilograms: 2 }]);
      await store.appendToStream('parcel-1', [withMetadata({ type: 'parcel.shipped.v1', data: { to: 'Lyon' } }, requestContext(), new Date())], 0);
      expect((await store.readStream('parcel-1')).map((event) => event.type)).toEqual(['parcel.packed.v1', 'parcel.shipped.v1']);
    } finally {
      await store.close();
    }
  });
});

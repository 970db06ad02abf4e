import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { describeEventStoreContract } from '../../testing/src/event-store-contract.js';
import { createTestDatabase } from '../../testing/src/postgres.js';
import { until } from '../../testing/src/until.js';
import type { RecordedEvent } from './event.js';
import { FanOutEventStore } from './fan-out-event-store.js';
import { requestContext, withMetadata } from './message-context.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';
import { Upcasters, UpcastingEventStore } from './upcasting.js';

// Parcels weighed in grams (v1) before their weight had a unit (v2).
const upcasters = new Upcasters([{ from: 'parcel.weighed.v1', to: 'parcel.weighed.v2', up: ({ grams }) => ({ weight: grams, unit: 'g' }) }]);

const pools: pg.Pool[] = [];
async function openPostgres(name: string): Promise<PostgresEventStore> {
  const pool = new pg.Pool({ connectionString: await createTestDatabase(name), max: 10 });
  pools.push(pool);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
  await store.migrate();
  return store;
}

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
});

// Upcasting over a store, it must still be an event store like any other.
describeEventStoreContract('UpcastingEventStore over PostgresEventStore', async () => new UpcastingEventStore(await openPostgres('upcasting_contract'), upcasters), (store) => store.close());

describe('events stored in an old shape', () => {
  let stored: PostgresEventStore;
  // As a host stacks them: one reader of the log for the process, over the upcasting.
  let store: FanOutEventStore;
  const stream = `parcel-${randomUUID()}`;

  beforeAll(async () => {
    stored = await openPostgres('upcasting');
    // Written before the new shape existed, and after.
    await stored.appendToStream(
      stream,
      [
        { type: 'parcel.weighed.v1', data: { grams: 1200 } },
        { type: 'parcel.weighed.v2', data: { weight: 3, unit: 'kg' } },
        { type: 'parcel.shipped.v1', data: { to: 'Lyon' } },
      ].map((event) => withMetadata(event, requestContext(), new Date())),
      'no-stream',
    );
    store = new FanOutEventStore(UpcastingEventStore.over(stored, upcasters));
  });

  afterAll(async () => {
    await store.close();
  });

  const newest = [
    { type: 'parcel.weighed.v2', data: { weight: 1200, unit: 'g' }, schemaVersion: 2 },
    { type: 'parcel.weighed.v2', data: { weight: 3, unit: 'kg' }, schemaVersion: 2 },
    { type: 'parcel.shipped.v1', data: { to: 'Lyon' }, schemaVersion: 1 },
  ];
  const shapes = (events: readonly RecordedEvent[]) => events.map(({ type, data, metadata }) => ({ type, data, schemaVersion: metadata.schemaVersion }));

  it('stay stored as they were written', async () => {
    expect((await stored.readStream(stream)).map(({ type, data }) => ({ type, data }))[0]).toEqual({ type: 'parcel.weighed.v1', data: { grams: 1200 } });
  });

  it('are read in the newest shape from their stream, forwards and backwards', async () => {
    expect(shapes(await store.readStream(stream))).toEqual(newest);
    expect(shapes(await store.readStream(stream, { direction: 'backwards' }))).toEqual([...newest].reverse());
  });

  it('are read in the newest shape from the log', async () => {
    expect(shapes(await store.readAll({ categories: ['parcel'] }))).toEqual(newest);
  });

  it('reach a subscriber in the newest shape, as a rebuild reads them', async () => {
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribe({ categories: ['parcel'] }, async (events) => {
      seen.push(...events);
    });
    try {
      await until(() => seen.length >= newest.length);
      expect(shapes(seen)).toEqual(newest);
    } finally {
      await subscription.stop();
    }
  });
});

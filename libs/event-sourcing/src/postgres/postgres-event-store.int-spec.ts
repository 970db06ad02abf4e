import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { WrongExpectedVersion } from '../errors.js';
import type { NewEvent, RecordedEvent } from '../event.js';
import type { AppendResult } from '../event-store.js';
import { requestContext, withMetadata } from '../message-context.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { createTestDatabase, TEST_POSTGRES_URL } from '../../../testing/src/postgres.js';
import { eventStoreForTest } from '../../../testing/src/event-store-for-test.js';
import { describeEventStoreContract } from '../../../testing/src/event-store-contract.js';
import { until } from '../../../testing/src/until.js';

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

describe('PostgresEventStore group commit', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    ({ pool, store } = await eventStoreForTest('event_store', { max: 10 }));
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  const category = () => `g${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const events = (count: number, data: (i: number) => Record<string, unknown> = (n) => ({ n })): NewEvent[] => {
    const context = requestContext();
    return Array.from({ length: count }, (_, i) => withMetadata({ type: 'test.happened.v1', data: data(i) }, context, new Date()));
  };

  it('writes appends that arrive together in shared commits, each answered with its own stream revision', async () => {
    const c = category();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendToStream(`${c}-${i}`, events(1 + (i % 3)), 'no-stream')));
    expect(results.map((result) => result.nextExpectedRevision)).toEqual(Array.from({ length: 50 }, (_, i) => i % 3));
    const commits = new Set(results.map((result) => result.position.commit));
    expect(commits.size).toBeLessThan(50);
    for (let i = 0; i < 50; i++) {
      const stream = await store.readStream(`${c}-${i}`);
      expect(stream.map((event) => [event.revision, event.data])).toEqual(Array.from({ length: 1 + (i % 3) }, (_, n) => [n, { n }]));
      expect(stream[stream.length - 1]!.position).toEqual(results[i]!.position);
    }
  });

  it('refuses only the appends of a group whose streams are not as expected; the others are written', async () => {
    const c = category();
    await store.appendToStream(`${c}-taken`, events(1), 'no-stream');
    const busy = store.appendToStream(`${c}-first`, events(1), 'no-stream'); // the group after it forms while it is written
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => store.appendToStream(`${c}-${i}`, events(1), 'no-stream')),
      store.appendToStream(`${c}-taken`, events(1), 5),
      store.appendToStream(`${c}-missing`, events(1), 'stream-exists'),
      ...Array.from({ length: 10 }, (_, i) => store.appendToStream(`${c}-${10 + i}`, events(1), 'no-stream')),
    ]);
    await busy;
    const written = outcomes.filter((outcome): outcome is PromiseFulfilledResult<AppendResult> => outcome.status === 'fulfilled');
    expect(written).toHaveLength(20);
    expect(new Set(written.map((outcome) => outcome.value.position.commit)).size).toBeLessThan(20);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedVersion) });
    expect((outcomes[10] as PromiseRejectedResult).reason).toMatchObject({ streamName: `${c}-taken`, expected: 5, actual: 0 });
    expect((outcomes[11] as PromiseRejectedResult).reason).toMatchObject({ streamName: `${c}-missing`, expected: 'stream-exists', actual: 'no-stream' });
    expect(await store.readAll({ categories: [c] })).toHaveLength(22);
  });

  it('fails only the append whose content PostgreSQL refuses; the others of its group are written', async () => {
    const c = category();
    const busy = store.appendToStream(`${c}-first`, events(1), 'no-stream');
    const outcomes = await Promise.allSettled([
      store.appendToStream(`${c}-a`, events(1), 'no-stream'),
      store.appendToStream(`${c}-bad`, events(1, () => ({ text: 'a\u0000b' })), 'no-stream'),
      store.appendToStream(`${c}-b`, events(2), 'no-stream'),
    ]);
    await busy;
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : outcome.status))).toEqual(['fulfilled', expect.stringMatching(/unicode|\\u0000/i), 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/unicode|\\u0000/i);
    expect((await store.readAll({ categories: [c] })).map((event) => event.streamName).sort()).toEqual([`${c}-a`, `${c}-b`, `${c}-b`, `${c}-first`]);
  });

  /** Inserts one event the way any statement would, on a connection of the test's own. */
  const insertEvent = (client: pg.PoolClient, stream: string) =>
    client.query(
      `INSERT INTO event_store.events (stream_name, stream_revision, category, event_id, event_type, data, metadata)
       VALUES ($1, 0, split_part($1, '-', 1), gen_random_uuid(), 'test.happened.v1', '{}', '{}')`,
      [stream],
    );

  it('reads an event as soon as it commits, whatever other transactions are still running', async () => {
    const c = category();
    const head = await store.headPosition();
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()'); // a running transaction with an older id
      await store.appendToStream(`${c}-now`, events(1), 'no-stream');
      expect((await store.readAll({ ...(head && { after: head }), categories: [c] })).map((event) => event.streamName)).toEqual([`${c}-now`]);
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
  });

  it('gives appends their ids in the order they commit: one waits for the lock of the one ahead', async () => {
    const c = category();
    const head = await store.headPosition();
    const ahead = await pool.connect();
    try {
      await ahead.query('BEGIN');
      await insertEvent(ahead, `${c}-ahead`); // holds the append lock until it commits
      let appended = false;
      const behind = store.appendToStream(`${c}-behind`, events(1), 'no-stream').then((result) => ((appended = true), result));
      await until(async () => (await pool.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rowCount === 1);
      expect(appended).toBe(false);
      expect(await store.readAll({ ...(head && { after: head }), categories: [c] })).toEqual([]);
      await ahead.query('COMMIT');
      await behind;
      const log = await store.readAll({ ...(head && { after: head }), categories: [c] });
      expect(log.map((event) => event.streamName)).toEqual([`${c}-ahead`, `${c}-behind`]);
      expect(log[0]!.position.commit).toBeLessThan(log[1]!.position.commit);
    } finally {
      await ahead.query('ROLLBACK').catch(() => undefined);
      ahead.release();
    }
  });

  it('refuses events from a transaction that wrote before them, as its id would predate the lock', async () => {
    const c = category();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      await expect(insertEvent(client, `${c}-late`)).rejects.toThrow('Events are appended in a transaction of their own');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await store.readStream(`${c}-late`)).toEqual([]);
  });

  it('never puts two appends to one stream in the same group, and keeps their order', async () => {
    const c = category();
    const busy = store.appendToStream(`${c}-first`, events(1), 'no-stream');
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store.appendToStream(`${c}-s`, events(1, () => ({ n: i })), 'any')));
    await busy;
    expect(results.map((result) => result.nextExpectedRevision)).toEqual([0, 1, 2, 3, 4]);
    expect((await store.readStream(`${c}-s`)).map((event) => event.data)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });
});

describe('PostgresEventStore notifications', () => {
  /** A writer and a reader store on a database of their own; the reader polls every ten minutes. */
  async function twoStores(poolSize: number) {
    const url = await createTestDatabase('event_store');
    const database = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env[TEST_POSTGRES_URL] });
    await admin.connect();
    const [writerPool, readerPool] = [new pg.Pool({ connectionString: url, max: poolSize }), new pg.Pool({ connectionString: url, max: poolSize })];
    const writer = new PostgresEventStore(writerPool);
    const reader = new PostgresEventStore(readerPool, { pollIntervalMs: 600_000 });
    await writer.migrate();
    return {
      database,
      admin,
      writerPool,
      writer,
      reader,
      category: `n${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      /** The connections on the database whose last statement was a LISTEN. */
      listeners: async () =>
        (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %'`, [database])).rows,
      close: async () => {
        await Promise.all([writer.close(), reader.close()]);
        await Promise.all([writerPool.end(), readerPool.end()]);
        await admin.end();
      },
    };
  }

  it('notifies no one while no one else listens, and once a store elsewhere does, wakes its subscriber at once, long before it would poll', async () => {
    const { writerPool, writer, reader, category: c, listeners, close } = await twoStores(4);
    let n = 0;
    const append = () => writer.appendToStream(`${c}-${n}`, [withMetadata({ type: 'test.happened.v1', data: { n: n++ } }, requestContext(), new Date())], 'no-stream');
    const queries = jest.spyOn(writerPool, 'query');
    const sent = (text: string) => queries.mock.calls.flatMap(([query], i) => (String(typeof query === 'string' ? query : (query as pg.QueryConfig).text).includes(text) ? [i] : []));
    // The writer's own subscriber listens too; that is no one else.
    const own = writer.subscribe({ categories: [c] }, async () => undefined);
    const received: unknown[] = [];
    let subscription: { stop(): Promise<void> } | undefined;
    try {
      await until(async () => (await listeners()).length === 1);
      await append(); // sent before the first look has answered
      await queries.mock.results[sent('pg_stat_activity')[0]!]!.value;
      const notified = sent('pg_notify').length;
      for (let i = 0; i < 20; i++) await append();
      expect(sent('pg_notify')).toHaveLength(notified);

      subscription = reader.subscribe({ categories: [c] }, async (batch) => void received.push(...batch.map((event) => event.data)));
      await until(async () => (await listeners()).length === 2);
      // The writer looks again within a second of appending, and sees the reader.
      await until(async () => {
        await append();
        return sent('pg_notify').length > notified;
      }, 5_000);
      await until(() => received.length === n, 5_000);
      await append();
      await until(() => received.length === n, 5_000);
      expect(received[received.length - 1]).toEqual({ n: n - 1 });
    } finally {
      queries.mockRestore();
      await Promise.all([own.stop(), subscription?.stop()]);
      await close();
    }
  });

  it('reads what was appended while its listening connection was down as soon as it is back, long before it would poll', async () => {
    const { database, admin, writer, reader, category: c, listeners, close } = await twoStores(1);
    const append = (n: string) =>
      writer.appendToStream(`${c}-${n}`, [withMetadata({ type: 'test.happened.v1', data: { n } }, requestContext(), new Date())], 'no-stream');
    const received: unknown[] = [];
    const subscription = reader.subscribe({ categories: [c] }, async (batch) => {
      received.push(...batch.map((event) => event.data));
    });
    try {
      await until(async () => (await listeners()).length === 1);
      await append('before');
      await until(() => received.length === 1, 5_000);
      // The pools keep the connections they have; no new one, the listener's included, gets in.
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(database)} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend($1)', [(await listeners())[0]!.pid]);
      await until(async () => (await listeners()).length === 0);
      await append('while-away');
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(database)} ALLOW_CONNECTIONS true`);
      await until(() => received.length === 2, 5_000);
      expect(received).toEqual([{ n: 'before' }, { n: 'while-away' }]);
    } finally {
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(database)} ALLOW_CONNECTIONS true`);
      await subscription.stop();
      await close();
    }
  });
});

describe('PostgresEventStore hands its own appends to its subscribers', () => {
  let url: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const appendOne = (to: PostgresEventStore, streamName: string, n: number) =>
    to.appendToStream(streamName, [withMetadata({ type: 'test.happened.v1', data: { n, nested: { b: 1, a: [n] } } }, requestContext(), new Date())], 'any');

  beforeAll(async () => {
    url = await createTestDatabase('event_store');
    pool = new pg.Pool({ connectionString: url, max: 10 });
    store = new PostgresEventStore(pool, { pollIntervalMs: 600_000 });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('a subscriber takes the appends of its own process as the log holds them, without reading them back', async () => {
    const before = (await store.readAll({ maxCount: 100_000 })).length;
    const received: RecordedEvent[] = [];
    const reads = jest.spyOn(store, 'readAll');
    const subscription = store.subscribe({}, async (batch) => void received.push(...batch));
    try {
      // Its first read, and the one when the store's listener for notifications is connected.
      await until(() => reads.mock.calls.length === 2, 5_000);
      await reads.mock.results[1]!.value;
      await until(() => received.length === before, 5_000);
      for (let n = 0; n < 10; n++) await appendOne(store, `h${n}-a`, n);
      await Promise.all(Array.from({ length: 20 }, (_, n) => appendOne(store, `h${n}-b`, n)));
      await until(() => received.length === before + 30, 5_000);
      expect(reads.mock.calls.length).toBe(2);
      // What it was handed is what the log holds, field by field, once each, in the log's order.
      expect(received).toEqual(await store.readAll({ maxCount: 100_000 }));
    } finally {
      reads.mockRestore();
      await subscription.stop();
    }
  });

  it('reads what another writer committed before an append took the lock, though the append began earlier', async () => {
    const received: RecordedEvent[] = [];
    const subscription = store.subscribe({}, async (batch) => void received.push(...batch));
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      const head = await store.readAll({ maxCount: 100_000 });
      await until(() => received.length === head.length, 5_000);
      // Another process's append holds the lock, uncommitted (an insert takes it, as every append does).
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO event_store.events (stream_name, stream_revision, category, event_id, event_type, data, metadata)
         VALUES ('late-1', 0, 'late', $1, 'test.happened.v1', '{"n":"late"}', $2)`,
        [randomUUID(), JSON.stringify(requestContext())],
      );
      // This process's append begins (its statement's snapshot is taken) and waits for the lock.
      const appended = appendOne(store, 'mine-1', 1);
      await until(async () => (await pool.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0].n > 0, 5_000);
      await other.query('COMMIT');
      await appended;
      // The other commit lies before this append in the log: the subscriber reads it, and nothing twice.
      await until(() => received.length === head.length + 2, 5_000);
      expect(received.slice(head.length).map((event) => event.streamName)).toEqual(['late-1', 'mine-1']);
      expect(received).toEqual(await store.readAll({ maxCount: 100_000 }));
    } finally {
      await other.end();
      await subscription.stop();
    }
  });
});

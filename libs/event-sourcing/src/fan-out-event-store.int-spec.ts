import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { describeEventStoreContract } from '../../testing/src/event-store-contract.js';
import { createTestDatabase } from '../../testing/src/postgres.js';
import { until } from '../../testing/src/until.js';
import { comparePositions, type RecordedEvent } from './event.js';
import { FanOutEventStore } from './fan-out-event-store.js';
import { requestContext, withMetadata } from './message-context.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

const pools: pg.Pool[] = [];
async function openStore(name: string, options: ConstructorParameters<typeof FanOutEventStore>[1] = {}): Promise<FanOutEventStore> {
  const pool = new pg.Pool({ connectionString: await createTestDatabase(name), max: 20 });
  pools.push(pool);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 100 });
  await store.migrate();
  return new FanOutEventStore(store, options);
}

// Shared by every subscriber, it must still be an event store like any other.
describeEventStoreContract('FanOutEventStore over PostgresEventStore', () => openStore('fan_out_contract'), (store) => store.close());

describe('FanOutEventStore', () => {
  let store: FanOutEventStore;
  beforeAll(async () => {
    // A small buffer, so that a slow subscriber leaves the shared tail and has to join it again.
    store = await openStore('fan_out', { maxBufferedEvents: 50, readBatchSize: 100 });
  });
  afterAll(async () => {
    await store.close();
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('gives every subscriber each event of its categories once, in order: early, late, and slow ones alike, while 8 writers append', async () => {
    const [a, b] = [`fa${randomUUID().slice(0, 8)}`, `fb${randomUUID().slice(0, 8)}`];
    const received = new Map<string, RecordedEvent[]>();
    const subscribe = (name: string, categories: string[], options: { slowMs?: number; after?: RecordedEvent['position'] } = {}) => {
      received.set(name, []);
      return store.subscribe({ categories, maxBatchSize: 40, ...(options.after && { after: options.after }) }, async (batch) => {
        received.get(name)!.push(...batch);
        if (options.slowMs) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
      });
    };
    const append = (category: string, writer: number, seq: number) =>
      store.appendToStream(`${category}-${writer % 4}`, [withMetadata({ type: 'test.written.v1', data: { writer, seq } }, requestContext(), new Date())], 'any');

    const early = [subscribe('a', [a]), subscribe('b', [b]), subscribe('both', [a, b]), subscribe('slow', [a, b], { slowMs: 15 })];
    const writers = 8;
    const perWriter = 300;
    let late: ReturnType<typeof subscribe>[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let seq = 0; seq < perWriter; seq++) {
          await append(writer % 2 ? a : b, writer, seq);
          // Joining while the log moves, from the start of it.
          if (writer === 0 && seq === perWriter / 2) late = [subscribe('late', [a, b])];
        }
      }),
    );
    const total = writers * perWriter;
    const expected = { a: total / 2, b: total / 2, both: total, slow: total, late: total };
    await until(() => Object.entries(expected).every(([name, count]) => received.get(name)!.length >= count), 60_000);
    await Promise.all([...early, ...late].map((subscription) => subscription.stop()));

    const log = await store.readAll({ categories: [a, b], maxCount: 100_000 });
    expect(log).toHaveLength(total);
    for (const [name, count] of Object.entries(expected)) {
      const events = received.get(name)!;
      const categories = name === 'a' ? [a] : name === 'b' ? [b] : [a, b];
      // Exactly the log's events of its categories, each once, in log order.
      expect({ name, ids: events.map((e) => e.metadata.messageId) }).toEqual({
        name,
        ids: log.filter((e) => categories.some((c) => e.streamName.startsWith(`${c}-`))).map((e) => e.metadata.messageId),
      });
      expect(events).toHaveLength(count);
      for (let i = 1; i < events.length; i++) expect(comparePositions(events[i - 1]!.position, events[i]!.position)).toBeLessThan(0);
    }
  }, 120_000);

  it('reads the live tail once for all its subscribers', async () => {
    const category = `fc${randomUUID().slice(0, 8)}`;
    const seen: number[] = [0, 0, 0];
    const subscriptions = seen.map((_, i) => store.subscribe({ categories: [category] }, async (batch) => void (seen[i]! += batch.length)));
    await until(() => store.tailSubscribers >= 3);
    await store.appendToStream(`${category}-1`, [withMetadata({ type: 'test.written.v1', data: {} }, requestContext(), new Date())], 'no-stream');
    await until(() => seen.every((count) => count === 1));
    expect(store.tailSubscribers).toBe(3);
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    expect(store.tailSubscribers).toBe(0);
  });
});

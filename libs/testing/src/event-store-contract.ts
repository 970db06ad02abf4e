import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  comparePositions,
  EventStoreRefused,
  requestContext,
  withMetadata,
  WrongExpectedVersion,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
} from '@agora/event-sourcing';
import { until } from './until.js';

/** A category no other test uses, so the suite also runs on a shared server. */
function freshCategory(): string {
  return `c${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

function events(count: number, type = 'test.happened.v1', from = 0): NewEvent[] {
  const context = requestContext();
  return Array.from({ length: count }, (_, i) => withMetadata({ type, data: { n: from + i } }, context, new Date()));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

/** Collects what a subscription delivers and lets a test wait for a count. */
class Collector {
  readonly received: RecordedEvent[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly handle = async (batch: readonly RecordedEvent[]): Promise<void> => {
    this.received.push(...batch);
    this.waiters = this.waiters.filter((waiter) => (this.received.length >= waiter.count ? (waiter.resolve(), false) : true));
  };

  until(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${this.received.length} of ${count} events`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/**
 * The behaviour every `EventStore` adapter must have. Each adapter's test file calls this
 * with a factory; PostgreSQL always runs it, EventStoreDB when EVENTSTORE_URL is set.
 */
export function describeEventStoreContract(
  label: string,
  open: () => Promise<EventStore>,
  close: (store: EventStore) => Promise<void> = (store) => store.close(),
  /** Whether the adapter appends to several streams atomically (`appendToStreams`). */
  capabilities: { readonly multiStreamAppend: boolean } = { multiStreamAppend: true },
): void {
  describe(`EventStore contract: ${label}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await close(store);
    });

    describe('appending and reading a stream', () => {
      it('appends to a new stream and reads the events back in order with their metadata', async () => {
        const stream = `${freshCategory()}-${randomUUID()}`;
        const written = events(3);
        const result = await store.appendToStream(stream, written, 'no-stream');
        expect(result.nextExpectedRevision).toBe(2);

        const read = await store.readStream(stream);
        expect(read.map((e) => [e.streamName, e.revision, e.type, e.data])).toEqual([
          [stream, 0, 'test.happened.v1', { n: 0 }],
          [stream, 1, 'test.happened.v1', { n: 1 }],
          [stream, 2, 'test.happened.v1', { n: 2 }],
        ]);
        expect(read.map((e) => e.metadata)).toEqual(written.map((e) => e.metadata));
        expect(read[2]!.position).toEqual(result.position);
        expect(read[0]!.recordedAt).toBeInstanceOf(Date);
      });

      it('reads backwards, from a revision, and at most maxCount events', async () => {
        const stream = `${freshCategory()}-${randomUUID()}`;
        await store.appendToStream(stream, events(5), 'no-stream');
        const revisions = (read: RecordedEvent[]) => read.map((e) => e.revision);

        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 3, direction: 'backwards', maxCount: 2 }))).toEqual([3, 2]);
        expect(revisions(await store.readStream(stream, { maxCount: 2 }))).toEqual([0, 1]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(`${freshCategory()}-${randomUUID()}`)).toEqual([]);
      });

      it('refuses an event whose data is not JSON, naming stream and type, and writes nothing', async () => {
        const stream = `${freshCategory()}-${randomUUID()}`;
        const [event] = events(1, 'test.priced.v1');
        const error = await rejection(store.appendToStream(stream, [events(1)[0]!, { ...event!, data: { amount: 10n } }], 'no-stream'));
        expect(error).toBeInstanceOf(EventStoreRefused);
        expect(error).toMatchObject({ reason: 'not-serialisable', streamName: stream });
        expect((error as Error).message).toContain('test.priced.v1');
        expect(await store.readStream(stream)).toEqual([]);
      });
    });

    describe('optimistic concurrency', () => {
      async function streamAt(revision: number): Promise<string> {
        const stream = `${freshCategory()}-${randomUUID()}`;
        await store.appendToStream(stream, events(revision + 1), 'no-stream');
        return stream;
      }

      async function refused(stream: string, expected: ExpectedRevision): Promise<WrongExpectedVersion> {
        const error = await rejection(store.appendToStream(stream, events(1), expected));
        expect(error).toBeInstanceOf(WrongExpectedVersion);
        return error as WrongExpectedVersion;
      }

      it('accepts the exact revision and refuses any other, reporting expected and actual', async () => {
        const stream = await streamAt(1);
        const error = await refused(stream, 0);
        expect({ stream: error.streamName, expected: error.expected, actual: error.actual }).toEqual({ stream, expected: 0, actual: 1 });
        await refused(stream, 2);
        expect((await store.appendToStream(stream, events(2), 1)).nextExpectedRevision).toBe(3);
      });

      it('refuses "no-stream" on an existing stream', async () => {
        const stream = await streamAt(0);
        expect((await refused(stream, 'no-stream')).actual).toBe(0);
      });

      it('refuses "stream-exists" and an exact revision on a missing stream', async () => {
        const missing = `${freshCategory()}-${randomUUID()}`;
        expect((await refused(missing, 'stream-exists')).actual).toBe('no-stream');
        expect((await refused(missing, 0)).actual).toBe('no-stream');
        expect(await store.readStream(missing)).toEqual([]);
      });

      it('accepts "stream-exists" on an existing stream and "any" on new and existing streams', async () => {
        const stream = await streamAt(0);
        expect((await store.appendToStream(stream, events(1), 'stream-exists')).nextExpectedRevision).toBe(1);
        expect((await store.appendToStream(stream, events(1), 'any')).nextExpectedRevision).toBe(2);
        const fresh = `${freshCategory()}-${randomUUID()}`;
        expect((await store.appendToStream(fresh, events(2), 'any')).nextExpectedRevision).toBe(1);
      });

      it('answers an append sent again with the same events (same ids, same expectation) as the earlier success, writing nothing twice', async () => {
        const stream = `${freshCategory()}-${randomUUID()}`;
        const created = events(2);
        const first = await store.appendToStream(stream, created, 'no-stream');
        expect(await store.appendToStream(stream, created, 'no-stream')).toEqual(first);
        const more = events(2, 'test.happened.v1', 2);
        const second = await store.appendToStream(stream, more, 1);
        expect(await store.appendToStream(stream, more, 1)).toEqual(second);
        expect((await store.readStream(stream)).map((e) => e.metadata.messageId)).toEqual([...created, ...more].map((e) => e.metadata.messageId));
        // Other events at that expectation are still a conflict.
        expect(await rejection(store.appendToStream(stream, events(2), 1))).toBeInstanceOf(WrongExpectedVersion);
      });

      it('writes nothing when an append is refused', async () => {
        const stream = await streamAt(2);
        await refused(stream, 1);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('lets exactly one of many writers with the same expected revision win', async () => {
        const stream = await streamAt(0);
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.appendToStream(stream, events(2, 'test.raced.v1', i * 10), 0)));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((o) => o.reason instanceof WrongExpectedVersion)).toBe(true);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('lets exactly one of many writers create a stream with "no-stream"', async () => {
        const stream = `${freshCategory()}-${randomUUID()}`;
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.appendToStream(stream, events(1), 'no-stream')));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('appending to several streams at once', () => {
      if (!capabilities.multiStreamAppend) {
        it('does not offer it, so callers append stream by stream', () => {
          expect(store.appendToStreams).toBeUndefined();
        });
        return;
      }

      it('appends to every stream in one commit, each at its expected revision', async () => {
        const category = freshCategory();
        await store.appendToStream(`${category}-a`, events(2), 'no-stream');
        const results = await store.appendToStreams!([
          { streamName: `${category}-a`, events: events(1, 'test.happened.v1', 2), expected: 1 },
          { streamName: `${category}-b`, events: events(2), expected: 'no-stream' },
          { streamName: `${category}-c`, events: events(1), expected: 'any' },
        ]);
        expect(results.map((result) => result.nextExpectedRevision)).toEqual([2, 1, 0]);
        expect(comparePositions(results[0]!.position, results[1]!.position)).toBeLessThan(0);
        expect((await store.readStream(`${category}-a`)).map((event) => event.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
        expect(await store.readStream(`${category}-b`)).toHaveLength(2);
        const log = await store.readAll({ categories: [category] });
        expect(log).toHaveLength(6);
      });

      it('writes nothing when one stream is not as expected, and names that stream', async () => {
        const category = freshCategory();
        await store.appendToStream(`${category}-a`, events(2), 'no-stream');
        await store.appendToStream(`${category}-c`, events(1), 'no-stream');
        for (const wrong of [0, 5, 'no-stream'] as const) {
          const error = await rejection(
            store.appendToStreams!([
              { streamName: `${category}-b`, events: events(1), expected: 'no-stream' },
              { streamName: `${category}-a`, events: events(1), expected: wrong },
              { streamName: `${category}-c`, events: events(1), expected: 0 },
            ]),
          );
          expect(error).toBeInstanceOf(WrongExpectedVersion);
          expect(error).toMatchObject({ streamName: `${category}-a`, expected: wrong, actual: 1 });
        }
        expect(await store.readStream(`${category}-b`)).toEqual([]);
        expect(await store.readStream(`${category}-a`)).toHaveLength(2);
        expect(await store.readStream(`${category}-c`)).toHaveLength(1);
      });

      it('lets exactly one of many batches that expect the same revision of a shared stream win', async () => {
        const category = freshCategory();
        await store.appendToStream(`${category}-shared`, events(1), 'no-stream');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            store.appendToStreams!([
              { streamName: `${category}-own${i}`, events: events(1), expected: 'no-stream' },
              { streamName: `${category}-shared`, events: events(1, 'test.happened.v1', 100 + i), expected: 0 },
            ]),
          ),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.status === 'rejected').every((outcome) => (outcome as PromiseRejectedResult).reason instanceof WrongExpectedVersion)).toBe(true);
        expect(await store.readStream(`${category}-shared`)).toHaveLength(2);
        // Only the winner's own stream was written.
        expect(await store.readAll({ categories: [category] })).toHaveLength(3);
      });
    });

    describe('the global log', () => {
      it('reads in append order after an exclusive position, filtered by category, page by page', async () => {
        const [mine, other] = [freshCategory(), freshCategory()];
        const appended: GlobalPosition[] = [];
        for (let i = 0; i < 6; i++) {
          const category = i % 3 === 2 ? other : mine;
          appended.push((await store.appendToStream(`${category}-${i}`, events(1, 'test.happened.v1', i), 'no-stream')).position);
        }

        const all = await store.readAll({ categories: [mine], maxCount: 100 });
        expect(all.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 3 }, { n: 4 }]);
        expect(all.map((e) => e.position)).toEqual([appended[0], appended[1], appended[3], appended[4]]);

        const both = await store.readAll({ categories: [mine, other], after: appended[1], maxCount: 100 });
        expect(both.map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);

        const paged: RecordedEvent[] = [];
        for (let page = await store.readAll({ categories: [mine], maxCount: 3 }); page.length > 0; ) {
          paged.push(...page);
          page = await store.readAll({ categories: [mine], maxCount: 3, after: page[page.length - 1]!.position });
        }
        expect(paged.map((e) => e.data)).toEqual(all.map((e) => e.data));
      });

      it('reads every category when none is given, and stops at maxCount after a position', async () => {
        const [first, second] = [freshCategory(), freshCategory()];
        const { position: after } = await store.appendToStream(`${first}-0`, events(1), 'no-stream');
        for (let i = 1; i <= 4; i++) await store.appendToStream(`${i % 2 ? second : first}-${i}`, events(1, 'test.happened.v1', i), 'no-stream');
        const ours = (page: readonly RecordedEvent[]) => page.filter((e) => [first, second].some((category) => e.streamName.startsWith(`${category}-`)));

        // Other suites may append to the same log meanwhile: what is ours comes in order.
        const everything = await store.readAll({ after, maxCount: 100_000 });
        expect(ours(everything).map((e) => [e.streamName, e.data])).toEqual([
          [`${second}-1`, { n: 1 }],
          [`${first}-2`, { n: 2 }],
          [`${second}-3`, { n: 3 }],
          [`${first}-4`, { n: 4 }],
        ]);
        const page = await store.readAll({ after, maxCount: 2 });
        expect(page).toHaveLength(2);
        expect(comparePositions(page[0]!.position, after)).toBeGreaterThan(0);
        expect(comparePositions(page[1]!.position, page[0]!.position)).toBeGreaterThan(0);
        expect(page[0]).toEqual(everything[0]);

        const bounded = await store.readAll({ categories: [first], after, maxCount: 1 });
        expect(bounded.map((e) => e.streamName)).toEqual([`${first}-2`]);
      });

      it('reports the newest position as the head', async () => {
        const { position } = await store.appendToStream(`${freshCategory()}-${randomUUID()}`, events(2), 'no-stream');
        const head = await store.headPosition();
        expect(head).toBeDefined();
        expect(comparePositions(head!, position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('one story across streams', () => {
      it('reads every event of a correlation id, whatever its stream, in log order, and nothing of other stories', async () => {
        const [orders, products] = [freshCategory(), freshCategory()];
        const story = requestContext();
        const caused = (type: string, n: number) => withMetadata({ type, data: { n } }, story, new Date());
        const order = `${orders}-${randomUUID()}`;
        const product = `${products}-${randomUUID()}`;
        await store.appendToStream(order, [caused('test.placed.v1', 0)], 'no-stream');
        await store.appendToStream(product, events(1, 'test.other-story.v1'), 'no-stream');
        await store.appendToStream(product, [caused('test.reserved.v1', 1), caused('test.reserved.v1', 2)], 0);
        await store.appendToStream(order, [caused('test.confirmed.v1', 3)], 0);
        const expected = [
          [order, 0, 'test.placed.v1'],
          [product, 1, 'test.reserved.v1'],
          [product, 2, 'test.reserved.v1'],
          [order, 1, 'test.confirmed.v1'],
        ];

        // EventStoreDB links the events to the story a moment after they are written.
        let read: RecordedEvent[] = [];
        await until(async () => (read = await store.readByCorrelation(story.correlationId)).length >= expected.length, 20_000);
        expect(read.map((e) => [e.streamName, e.revision, e.type])).toEqual(expected);
        expect(read.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
        expect(read.every((e) => e.metadata.correlationId === story.correlationId && e.metadata.causationId === story.causationId)).toBe(true);
        expect(Object.keys(read[0]!.metadata).sort()).toEqual(Object.keys(caused('test.placed.v1', 0).metadata).sort());
        for (let n = 1; n < read.length; n++) expect(comparePositions(read[n]!.position, read[n - 1]!.position)).toBeGreaterThan(0);
        // What the stream reads give is what the story read gives.
        expect(read[3]).toEqual((await store.readStream(order))[1]);

        expect((await store.readByCorrelation(story.correlationId, { maxCount: 2 })).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
        expect(await store.readByCorrelation(randomUUID())).toEqual([]);
      });
    });

    describe('subscriptions', () => {
      it('catches up from the start, then delivers new events live', async () => {
        const category = freshCategory();
        await store.appendToStream(`${category}-a`, events(3, 'test.happened.v1', 0), 'no-stream');
        const collector = new Collector();
        const subscription = store.subscribe({ categories: [category] }, collector.handle);
        await collector.until(3);
        await store.appendToStream(`${category}-b`, events(2, 'test.happened.v1', 3), 'no-stream');
        await collector.until(5);
        await subscription.stop();
        await expect(subscription.closed).resolves.toBeUndefined();
        expect(collector.received.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
      });

      it('resumes after a checkpoint without repeating it', async () => {
        const category = freshCategory();
        const first = await store.appendToStream(`${category}-a`, events(2, 'test.happened.v1', 0), 'no-stream');
        await store.appendToStream(`${category}-a`, events(2, 'test.happened.v1', 2), first.nextExpectedRevision);
        const collector = new Collector();
        const subscription = store.subscribe({ categories: [category], after: first.position }, collector.handle);
        await collector.until(2);
        await subscription.stop();
        expect(collector.received.map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }]);
      });

      it('ends with the handler error and delivers nothing after it', async () => {
        const category = freshCategory();
        await store.appendToStream(`${category}-a`, events(2), 'no-stream');
        let calls = 0;
        const subscription = store.subscribe({ categories: [category], maxBatchSize: 1 }, async () => {
          calls++;
          throw new Error('projection failed');
        });
        await expect(subscription.closed).rejects.toThrow('projection failed');
        expect(calls).toBe(1);
      });

      it('delivers every event exactly once and in order while 8 writers append 20,000 events', async () => {
        const category = freshCategory();
        const writers = 8;
        const perWriter = 2_500;
        const collector = new Collector();
        const subscription = store.subscribe({ categories: [category] }, collector.handle);

        // Writers share streams, so appends wait on each other's locks and commit out of
        // the order in which they took their positions: the case that loses events.
        const streams = Array.from({ length: 16 }, (_, i) => `${category}-${i}`);
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            for (let written = 0; written < perWriter; ) {
              const size = Math.min(1 + ((written + writer) % 4), perWriter - written);
              const stream = streams[(writer * 7 + written) % streams.length]!;
              const batch = Array.from({ length: size }, (_, i) => ({ writer, seq: written + i }));
              const context = requestContext();
              await store.appendToStream(stream, batch.map((data) => withMetadata({ type: 'test.written.v1', data }, context, new Date())), 'any');
              written += size;
            }
          }),
        );

        await collector.until(writers * perWriter, 60_000);
        await subscription.stop();
        const received = collector.received;
        expect(received).toHaveLength(writers * perWriter);

        const ids = new Set(received.map((e) => e.metadata.messageId));
        expect(ids.size).toBe(received.length);
        for (let i = 1; i < received.length; i++) {
          if (comparePositions(received[i - 1]!.position, received[i]!.position) >= 0) {
            throw new Error(`event ${i} at ${JSON.stringify(received[i]!.position)} is not after ${JSON.stringify(received[i - 1]!.position)}`);
          }
        }
        const nextSeq = new Map<number, number>();
        const nextRevision = new Map<string, number>();
        for (const event of received) {
          const { writer, seq } = event.data as { writer: number; seq: number };
          expect(seq).toBe(nextSeq.get(writer) ?? 0);
          nextSeq.set(writer, seq + 1);
          expect(event.revision).toBe(nextRevision.get(event.streamName) ?? 0);
          nextRevision.set(event.streamName, event.revision + 1);
        }
        expect(await store.readAll({ categories: [category], maxCount: 100_000 })).toHaveLength(received.length);
      }, 120_000);
    });
  });
}

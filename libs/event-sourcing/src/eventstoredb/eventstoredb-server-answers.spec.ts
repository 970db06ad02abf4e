import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { fakeEventStoreDbForSuite, type FakeAppendAnswer } from '../../../testing/src/fake-eventstoredb.js';
import { CommandHandler } from '../command-handler.js';
import type { Decider } from '../decider.js';
import { EventStoreRefused, EventStoreUnavailable, WrongExpectedVersion } from '../errors.js';
import { requestContext } from '../message-context.js';
import type { NewEvent } from '../event.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// What EventStoreDB answers, played by an in-process gRPC server built from the client's
// own protobuf code (no EventStoreDB server runs here; the contract suite runs against one
// where EVENTSTORE_URL is set).

function placed(n = 1): NewEvent {
  const id = randomUUID();
  return {
    type: 'order.placed.v1',
    data: { orderId: `o-${n}` },
    metadata: { messageId: id, correlationId: id, causationId: id, occurredAt: new Date(0).toISOString(), schemaVersion: 1 },
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the append to fail');
    },
    (reason: unknown) => reason,
  );
}

describe.each([
  ['the batch append (EventStoreDB 21.10+)', true],
  ['the unary append', false],
])('EventStoreDbEventStore through %s', (_mode, batchAppend) => {
  const suite = fakeEventStoreDbForSuite({ batchAppend });

  it.each<[FakeAppendAnswer]>([['not-ready'], ['busy'], ['not-leader'], ['reset'], ['timeout-after-commit']])(
    'reports "%s" as EventStoreUnavailable, and the next append goes through',
    async (answer) => {
      const stream = `order-${randomUUID()}`;
      suite.server.answerNextAppends(answer);
      const error = await failure(suite.store.appendToStream(stream, [placed()], 'any'));
      expect(error).toBeInstanceOf(EventStoreUnavailable);
      expect((error as Error).cause).toBeDefined();
      const appended = await suite.store.appendToStream(stream, [placed()], 'any');
      expect(appended.nextExpectedRevision).toBe(answer === 'timeout-after-commit' ? 1 : 0);
    },
  );

  it.each<[FakeAppendAnswer, EventStoreRefused['reason'], RegExp]>([
    ['access-denied', 'access-denied', /denied access/i],
    ['stream-deleted', 'stream-deleted', /deleted/i],
    ['max-append-size', 'too-large', /too large|size/i],
  ])('refuses "%s" for good with EventStoreRefused (%s)', async (answer, reason, message) => {
    const stream = `order-${randomUUID()}`;
    suite.server.answerNextAppends(answer);
    const error = await failure(suite.store.appendToStream(stream, [placed()], 'any'));
    expect(error).toBeInstanceOf(EventStoreRefused);
    expect(error).toMatchObject({ reason, streamName: stream });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(stream);
  });

  it('answers an idempotent re-send (no position from the server) as the first append, writing nothing twice', async () => {
    const stream = `order-${randomUUID()}`;
    const events = [placed(1), placed(2)];
    const first = await suite.store.appendToStream(stream, events, 'no-stream');
    const again = await suite.store.appendToStream(stream, events, 'no-stream');
    expect(again).toEqual(first);
    expect(suite.server.events(stream).map((event) => event.id)).toEqual(events.map((event) => event.metadata.messageId));
  });

  it('writes the correlation and causation ids also under the names EventStoreDB goes by ($by_correlation_id), and reads the metadata back as it was given', async () => {
    const stream = `order-${randomUUID()}`;
    const event = { ...placed(), metadata: { ...requestContext(), messageId: randomUUID(), causationId: randomUUID(), occurredAt: new Date(0).toISOString(), schemaVersion: 1 } };
    await suite.store.appendToStream(stream, [event], 'no-stream');
    const [written] = suite.server.events(stream);
    expect(JSON.parse(Buffer.from(written!.metadata).toString('utf8'))).toEqual({
      ...event.metadata,
      $correlationId: event.metadata.correlationId,
      $causationId: event.metadata.causationId,
    });
    expect((await suite.store.readStream(stream)).map((read) => read.metadata)).toEqual([event.metadata]);
  });

  it('writes a command\'s events once when its append times out after the commit: the same ids are sent again', async () => {
    type Placed = { type: 'order.placed.v1'; data: { orderId: string } };
    const orders: Decider<{ orderId: string }, Placed, { placed: boolean }> = {
      decide: (command, state) => (state.placed ? [] : [{ type: 'order.placed.v1', data: { orderId: command.orderId } }]),
      evolve: () => ({ placed: true }),
      initialState: () => ({ placed: false }),
    };
    const stream = `order-${randomUUID()}`;
    suite.server.answerNextAppends('timeout-after-commit');
    const result = await new CommandHandler(suite.store).handle(orders, stream, { orderId: 'o-1' }, requestContext(), { expectNew: true });

    const written = suite.server.events(stream);
    expect(written.map((event) => event.id)).toEqual(result.events.map((event) => event.metadata.messageId));
    expect(result).toMatchObject({ revision: 0, position: { commit: written[0]!.position, prepare: written[0]!.position } });
  });

  it('refuses event data that cannot be serialised, at once and without sending anything', async () => {
    const before = suite.server.appendsReceived;
    const event: NewEvent = { ...placed(), data: { amount: 10n } };
    const error = await failure(suite.store.appendToStream(`order-${randomUUID()}`, [event], 'any'));
    expect(error).toBeInstanceOf(EventStoreRefused);
    expect(error).toMatchObject({ reason: 'not-serialisable' });
    expect((error as Error).message).toContain('order.placed.v1');
    expect(suite.server.appendsReceived).toBe(before);
  }, 5_000);
});

describe.each([
  ['the batch append', true],
  ['the unary append', false],
])('EventStoreDbEventStore with throwOnAppendFailure=false, through %s', (_mode, batchAppend) => {
  const suite = fakeEventStoreDbForSuite({ batchAppend }, (server) => EventStoreDbEventStore.connect(server.url('throwOnAppendFailure=false')));

  it('reports a version conflict as WrongExpectedVersion with the revision the stream is at', async () => {
    const stream = `order-${randomUUID()}`;
    await suite.store.appendToStream(stream, [placed(1), placed(2)], 'no-stream');
    const error = await failure(suite.store.appendToStream(stream, [placed(3)], 0));
    expect(error).toBeInstanceOf(WrongExpectedVersion);
    expect(error).toMatchObject({ streamName: stream, expected: 0, actual: 1 });
    const refused = await failure(suite.store.appendToStream(`order-${randomUUID()}`, [placed(4)], 'stream-exists'));
    expect(refused).toMatchObject({ expected: 'stream-exists', actual: 'no-stream' });
  });
});

describe('EventStoreDbEventStore with cluster discovery (esdb+discover://)', () => {
  const suite = fakeEventStoreDbForSuite({}, (server) => EventStoreDbEventStore.connect(`esdb+discover://127.0.0.1:${server.port}?tls=false&maxDiscoverAttempts=1&discoveryInterval=10`));
  afterEach(() => {
    suite.server.gossipAnswers = true;
  });

  it('reports a failed discovery as EventStoreUnavailable, and appends again once the cluster answers', async () => {
    suite.server.gossipAnswers = false;
    const stream = `order-${randomUUID()}`;
    expect(await failure(suite.store.appendToStream(stream, [placed()], 'any'))).toBeInstanceOf(EventStoreUnavailable);
    expect(await failure(suite.store.appendToStream(stream, [placed()], 'any'))).toBeInstanceOf(EventStoreUnavailable);

    suite.server.gossipAnswers = true;
    await expect(suite.store.appendToStream(stream, [placed()], 'any')).resolves.toMatchObject({ nextExpectedRevision: 0 });
    expect(suite.server.events(stream)).toHaveLength(1);
  });
});

describe('EventStoreDbEventStore reads of the log', () => {
  const suite = fakeEventStoreDbForSuite();

  /** A category no other test writes to. */
  function category(): string {
    return `c${randomUUID().replaceAll('-', '')}`;
  }

  /** `count` events, each in its own stream of `category`, in log order. */
  async function append(category: string, count: number, type = 'order.placed.v1'): Promise<string[]> {
    const streams = Array.from({ length: count }, () => `${category}-${randomUUID()}`);
    for (const stream of streams) await suite.store.appendToStream(stream, [{ ...placed(), type }], 'no-stream');
    return streams;
  }

  it('asks the server for the categories and receives only their events, in log order', async () => {
    const [mine, theirs, other] = [category(), category(), category()];
    const written: string[] = [];
    for (let round = 0; round < 3; round++) {
      written.push(...(await append(mine, 1)), ...(await append(theirs, 1)));
      await append(other, 100);
    }

    const before = suite.server.eventsRead;
    const read = await suite.store.readAll({ categories: [mine, theirs] });
    expect(read.map((event) => event.streamName)).toEqual(written);
    expect(suite.server.eventsRead - before).toBe(6);
    expect(suite.server.readRequests.at(-1)).toMatchObject({
      stream: '$all',
      direction: 'forwards',
      from: 'start',
      filter: { on: 'stream-name', prefixes: [`${mine}-`, `${theirs}-`], regex: '' },
    });
  });

  it('stops a bounded read at maxCount events of its categories: the server sends no more than those', async () => {
    const [mine, other] = [category(), category()];
    const written: string[] = [];
    for (let round = 0; round < 20; round++) {
      written.push(...(await append(mine, 1)));
      await append(other, 50);
    }

    let before = suite.server.eventsRead;
    const first = await suite.store.readAll({ categories: [mine], maxCount: 5 });
    expect(first.map((event) => event.streamName)).toEqual(written.slice(0, 5));
    expect(suite.server.eventsRead - before).toBe(5);
    expect(suite.server.readRequests.at(-1)).toMatchObject({ count: 5 });

    // After a position of its category: that event (`fromPosition` is inclusive) and the next five.
    before = suite.server.eventsRead;
    const next = await suite.store.readAll({ categories: [mine], after: first.at(-1)!.position, maxCount: 5 });
    expect(next.map((event) => event.streamName)).toEqual(written.slice(5, 10));
    expect(suite.server.eventsRead - before).toBe(6);
    expect(suite.server.readRequests.at(-1)).toMatchObject({ from: first.at(-1)!.position.commit, count: 6 });
  });

  it('leaves out system events on the server when no categories are asked for', async () => {
    const mine = category();
    await append(mine, 2);
    await suite.store.appendToStream('$stats-127.0.0.1:2113', Array.from({ length: 5 }, () => ({ ...placed(), type: '$statsCollected' })), 'any');
    const last = await append(mine, 1);

    const read = await suite.store.readAll({ maxCount: 100_000 });
    expect(read.every((event) => !event.type.startsWith('$'))).toBe(true);
    expect(read.at(-1)!.streamName).toBe(last[0]);
    expect(suite.server.readRequests.at(-1)).toMatchObject({ filter: { on: 'event-type', regex: '^[^$].*' } });
  });

  it('reads on past a system event in one of its streams, which the name filter lets through, to fill maxCount', async () => {
    const mine = category();
    const stream = `${mine}-${randomUUID()}`;
    await suite.store.appendToStream(stream, [placed(1), { ...placed(), type: '$metadata' }, placed(2), placed(3)], 'no-stream');

    const read = await suite.store.readAll({ categories: [mine], maxCount: 3 });
    expect(read.map((event) => event.data)).toEqual([{ orderId: 'o-1' }, { orderId: 'o-2' }, { orderId: 'o-3' }]);
  });

  it('answers an empty list of categories with no events, asking the server nothing', async () => {
    await append(category(), 1);
    const requests = suite.server.readRequests.length;
    expect(await suite.store.readAll({ categories: [] })).toEqual([]);
    expect(suite.server.readRequests).toHaveLength(requests);
  });
});

describe('EventStoreDbEventStore head position', () => {
  const suite = fakeEventStoreDbForSuite();

  it('reads one event, the newest of ours: the server leaves out the system events after it', async () => {
    expect(await suite.store.headPosition()).toBeUndefined();
    const stream = `order-${randomUUID()}`;
    const appended = await suite.store.appendToStream(stream, Array.from({ length: 200 }, (_, n) => placed(n)), 'no-stream');

    let before = suite.server.eventsRead;
    expect(await suite.store.headPosition()).toEqual(appended.position);
    expect(suite.server.eventsRead - before).toBe(1);

    await suite.store.appendToStream('$stats-127.0.0.1:2113', Array.from({ length: 500 }, () => ({ ...placed(), type: '$statsCollected' })), 'any');
    before = suite.server.eventsRead;
    expect(await suite.store.headPosition()).toEqual(appended.position);
    expect(suite.server.eventsRead - before).toBe(1);
    expect(suite.server.readRequests.at(-1)).toMatchObject({ stream: '$all', direction: 'backwards', from: 'end', count: 1, filter: { on: 'event-type', regex: '^[^$].*' } });
  });
});

import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  ANY,
  DeadlineExceededError,
  EventStoreDBClient,
  excludeSystemEvents,
  NO_STREAM,
  STREAM_EXISTS,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';
import { freePort } from '../../../testing/src/free-port.js';
import { EventStoreUnavailable } from '../errors.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event.js';
import {
  EventStoreDbEventStore,
  isUnavailable,
  toActualRevision,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toGlobalPosition,
} from './eventstoredb-event-store.js';

// An inferred object type, unlike the interface, also fits the client's JSON metadata type.
function metadata() {
  const id = randomUUID();
  return { messageId: id, correlationId: id, causationId: id, occurredAt: new Date(0).toISOString(), schemaVersion: 1 } satisfies EventMetadata;
}

const placed: NewEvent = { type: 'order.placed.v1', data: { orderId: 'o-1' }, metadata: metadata() };

async function unavailable(promise: Promise<unknown>): Promise<EventStoreUnavailable> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(EventStoreUnavailable);
  expect((error as EventStoreUnavailable).cause).toBeDefined();
  return error as EventStoreUnavailable;
}

describe('EventStoreDbEventStore when nothing listens on its port', () => {
  let store: EventStoreDbEventStore;
  beforeAll(async () => {
    store = EventStoreDbEventStore.connect(`esdb://127.0.0.1:${await freePort()}?tls=false`);
  });
  afterAll(() => store.close());

  it('fails an append with EventStoreUnavailable', async () => {
    const error = await unavailable(store.appendToStream('order-1', [placed], 'no-stream'));
    // The client rejects appends with the raw gRPC error here, not with its UnavailableError.
    expect((error.cause as { code?: number }).code).toBe(14);
  });

  it('fails a stream read with EventStoreUnavailable', () => unavailable(store.readStream('order-1')));
  it('fails a read of the log with EventStoreUnavailable', () => unavailable(store.readAll({ categories: ['order'] })));
  it('fails the head position with EventStoreUnavailable', () => unavailable(store.headPosition()));

  it('ends a subscription with EventStoreUnavailable without calling the handler', async () => {
    const handler = jest.fn(async () => undefined);
    const subscription = store.subscribe({ categories: ['order'] }, handler);
    await unavailable(subscription.closed);
    await subscription.stop();
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('mapping to the client', () => {
  it('maps expected revisions', () => {
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision('no-stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('stream-exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(() => toEsdbExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toEsdbExpectedRevision(1.5)).toThrow(RangeError);
  });

  it('maps the revision the server reports on a conflict', () => {
    expect(toActualRevision(NO_STREAM)).toBe('no-stream');
    expect(toActualRevision(-1n)).toBe('no-stream');
    expect(toActualRevision(7n)).toBe(7);
  });

  it('maps positions both ways and refuses one a number cannot hold', () => {
    expect(toGlobalPosition({ commit: 1234n, prepare: 1200n })).toEqual({ commit: 1234, prepare: 1200 });
    expect(toEsdbPosition({ commit: 1234, prepare: 1200 })).toEqual({ commit: 1234n, prepare: 1200n });
    expect(() => toGlobalPosition({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n })).toThrow(RangeError);
  });

  it('recognises an unreachable server by class and by gRPC code', () => {
    expect(isUnavailable(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }))).toBe(true);
    expect(isUnavailable(new UnavailableError())).toBe(true);
    expect(isUnavailable(new DeadlineExceededError())).toBe(true);
    expect(isUnavailable(new Error('Failed to discover after 10 attempts.'))).toBe(true);
    expect(isUnavailable(new WrongExpectedVersionError(undefined, { streamName: 'order-1', expected: 0n, current: 1n }))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isUnavailable(new Error('boom'))).toBe(false);
  });
});

/** Stands in for the client's subscription stream: an object stream we feed by hand. */
class FakeSubscription extends PassThrough {
  readonly unsubscribe = jest.fn(async () => {
    this.end();
  });
  constructor() {
    super({ objectMode: true });
  }
  deliver(...events: AllStreamResolvedEvent[]): void {
    for (const event of events) this.write(event);
  }
}

function stored(n: number, streamId = 'order-1', type = 'order.placed.v1'): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: randomUUID(),
      isJson: true,
      revision: BigInt(n),
      type,
      created: new Date(0),
      data: { n },
      metadata: metadata(),
      position: { commit: BigInt(100 + n), prepare: BigInt(100 + n) },
    },
  };
}

function fakeStore() {
  const source = new FakeSubscription();
  const client = { subscribeToAll: jest.fn((_options: unknown) => source), dispose: jest.fn(async () => undefined) };
  return { source, client, store: new EventStoreDbEventStore(client as unknown as EventStoreDBClient) };
}

/** A handler that holds each batch until the test lets it go, and records overlaps. */
function gatedHandler() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const handler = async (batch: readonly RecordedEvent[]) => {
    active++;
    maxActive = Math.max(maxActive, active);
    batches.push(batch.map((e) => e.data['n'] as number));
    await new Promise<void>((resolve) => gates.push(resolve));
    active--;
  };
  const release = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { handler, batches, release, maxActive: () => maxActive };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EventStoreDbEventStore subscriptions', () => {
  it('subscribes after the checkpoint with a stream-name filter, or without system events', () => {
    const { client, store } = fakeStore();
    store.subscribe({ after: { commit: 5, prepare: 4 }, categories: ['order', 'payment'] }, async () => undefined);
    expect(client.subscribeToAll).toHaveBeenLastCalledWith({
      fromPosition: { commit: 5n, prepare: 4n },
      filter: expect.objectContaining({ filterOn: 'streamName', prefixes: ['order-', 'payment-'] }),
    });
    store.subscribe({}, async () => undefined);
    expect(client.subscribeToAll).toHaveBeenLastCalledWith({ fromPosition: 'start', filter: excludeSystemEvents() });
  });

  it('hands over what arrived while the handler ran, in batches of at most maxBatchSize, one call at a time', async () => {
    const { source, store } = fakeStore();
    const gated = gatedHandler();
    store.subscribe({ maxBatchSize: 4 }, gated.handler);

    source.deliver(...Array.from({ length: 10 }, (_, n) => stored(n)));
    await tick();
    expect(gated.batches).toEqual([[0]]);
    await gated.release();
    await gated.release();
    await gated.release();
    expect(gated.batches).toEqual([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    expect(gated.maxActive()).toBe(1);
  });

  it('pauses the client stream while a full batch waits, and resumes when it is handed over', async () => {
    const { source, store } = fakeStore();
    const gated = gatedHandler();
    store.subscribe({ maxBatchSize: 2 }, gated.handler);

    source.deliver(stored(0), stored(1), stored(2));
    await tick();
    expect(source.isPaused()).toBe(true);
    await gated.release();
    expect(gated.batches).toEqual([[0], [1, 2]]);
    expect(source.isPaused()).toBe(false);
  });

  it('delivers only events of the requested categories and no system events', async () => {
    const { source, store } = fakeStore();
    const received: RecordedEvent[] = [];
    store.subscribe({ categories: ['order'] }, async (batch) => void received.push(...batch));
    source.deliver(stored(0), stored(1, 'payment-1'), stored(2, 'order-2', '$metadata'), stored(3, 'order-3'));
    await tick();
    expect(received.map((e) => [e.streamName, e.revision, e.position])).toEqual([
      ['order-1', 0, { commit: 100, prepare: 100 }],
      ['order-3', 3, { commit: 103, prepare: 103 }],
    ]);
  });

  it('never hands over the checkpoint itself or anything before it', async () => {
    const { source, store } = fakeStore();
    const received: RecordedEvent[] = [];
    store.subscribe({ after: { commit: 101, prepare: 101 } }, async (batch) => void received.push(...batch));
    source.deliver(stored(0), stored(1), stored(2), stored(2));
    await tick();
    expect(received.map((e) => e.data)).toEqual([{ n: 2 }]);
  });

  it('ends with the error when an event cannot be mapped', async () => {
    const { source, store } = fakeStore();
    const subscription = store.subscribe({}, async () => undefined);
    const unmappable = stored(0);
    unmappable.event!.position = { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n };
    source.deliver(unmappable);
    await expect(subscription.closed).rejects.toBeInstanceOf(RangeError);
  });

  it('stops once the running handler is done, then resolves closed and delivers nothing more', async () => {
    const { source, store } = fakeStore();
    const gated = gatedHandler();
    const subscription = store.subscribe({}, gated.handler);
    source.deliver(stored(0), stored(1));
    await tick();

    let stopped = false;
    const stopping = subscription.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    expect(source.unsubscribe).toHaveBeenCalled();
    await gated.release();
    await stopping;
    await expect(subscription.closed).resolves.toBeUndefined();
    expect(gated.batches).toEqual([[0]]);
  });

  it('ends with the handler error and calls the handler no more', async () => {
    const { source, store } = fakeStore();
    const handler = jest.fn(async () => {
      throw new Error('projection failed');
    });
    const subscription = store.subscribe({ maxBatchSize: 1 }, handler);
    source.deliver(stored(0), stored(1));
    await expect(subscription.closed).rejects.toThrow('projection failed');
    await tick();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(source.unsubscribe).toHaveBeenCalled();
  });

  it('ends with EventStoreUnavailable when the connection drops, after the running handler is done', async () => {
    const { source, store } = fakeStore();
    const gated = gatedHandler();
    const subscription = store.subscribe({}, gated.handler);
    source.deliver(stored(0));
    await tick();

    let settled = false;
    subscription.closed.catch(() => undefined).finally(() => (settled = true));
    source.emit('error', Object.assign(new UnavailableError(), { code: 14 }));
    await tick();
    expect(settled).toBe(false);
    await gated.release();
    await expect(subscription.closed).rejects.toBeInstanceOf(EventStoreUnavailable);
  });

  it('stops its subscriptions when the store closes', async () => {
    const { client, store } = fakeStore();
    const subscription = store.subscribe({}, async () => undefined);
    await store.close();
    await expect(subscription.closed).resolves.toBeUndefined();
    expect(client.dispose).toHaveBeenCalled();
  });
});

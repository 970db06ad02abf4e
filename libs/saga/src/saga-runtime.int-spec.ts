import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { migrateMessaging, PostgresCheckpointStore } from '@agora/messaging';
import { SingleActive, type BatchStatement, type StatementRunner } from '@agora/platform';
import { SharedTransactions } from '@agora/projections';
import { CommandHandler, PostgresEventStore, requestContext, streamName, Upcasters, UpcastingEventStore, type Decider, type Event, type RecordedEvent } from '@agora/event-sourcing';
import { createTestDatabase } from '../../testing/src/postgres.js';
import { until } from '../../testing/src/until.js';
import { DeadlineScheduler } from './deadline-scheduler.js';
import type { SagaDefinition, SagaInput } from './saga-definition.js';
import { sagaOutbound } from './saga-outbound.js';
import { sagaUpcasters } from './saga-stream.js';
import { SagaRuntime } from './saga-runtime.js';
import { migrateSagas } from './schema.js';

// A toy delivery saga: ask for a release, wait for the answer, give up after a deadline.
type Input = SagaInput<'toy.started', { orderId: string; waitMs: number }> | SagaInput<'toy.answered', { orderId: string }>;
interface State {
  orderId?: string;
  answers: number;
}
const delivery = (category: string): SagaDefinition<State, Input> => ({
  category,
  sagaIdOf: (input) => input.data.orderId,
  initialState: () => ({ answers: 0 }),
  react: (state, input, now) => {
    switch (input.type) {
      case 'toy.started':
        return {
          state: { ...state, orderId: input.data.orderId },
          step: 'waiting',
          send: [{ type: 'toy.release-asked.v1', key: input.data.orderId, data: { orderId: input.data.orderId } }],
          deadline: { name: 'answer', dueAt: new Date(now.getTime() + input.data.waitMs) },
        };
      case 'toy.answered':
        return { state: { ...state, answers: state.answers + 1 }, step: 'done', status: 'completed', deadline: null };
      case 'saga.deadline-reached':
        return {
          state,
          step: 'timed-out',
          status: 'completed',
          reason: `no ${input.data.name}`,
          send: [{ type: 'toy.commit-asked.v1', key: state.orderId!, data: { orderId: state.orderId! } }],
        };
    }
  },
});

// A toy dispatch saga beside a parcel of its own context: once paid, it ships the parcel
// (decided in its own append) and asks the warehouse to commit; the shipment ends it.
type ParcelEvent = Event<'toy.shipped', { orderId: string }> | Event<'toy.held', { orderId: string }>;
interface Parcel {
  held: boolean;
  shipped: boolean;
}
const parcel: Decider<{ type: 'ship' | 'hold'; orderId: string }, ParcelEvent, Parcel> = {
  initialState: () => ({ held: false, shipped: false }),
  decide: ({ type, orderId }, state) => {
    if (type === 'hold') return [{ type: 'toy.held', data: { orderId } }];
    return state.held || state.shipped ? [] : [{ type: 'toy.shipped', data: { orderId } }];
  },
  evolve: (state, event) => (event.type === 'toy.held' ? { ...state, held: true } : { ...state, shipped: true }),
};
type DispatchInput = SagaInput<'toy.paid', { orderId: string }> | SagaInput<'toy.shipped', { orderId: string }>;
const dispatch = (category: string): SagaDefinition<{ phase: string }, DispatchInput> => ({
  category,
  sagaIdOf: (input) => input.data.orderId,
  initialState: () => ({ phase: 'new' }),
  react: (state, input) => {
    if (input.type === 'toy.paid') {
      const { orderId } = input.data;
      return {
        state: { phase: 'shipping' },
        step: 'shipping',
        send: [
          { type: 'order.confirm-order.v1', key: orderId, data: { orderId } },
          { type: 'toy.commit-asked.v1', key: orderId, data: { orderId } },
        ],
      };
    }
    if (input.type === 'toy.shipped') return { state: { phase: 'shipped' }, step: 'shipped', status: 'completed' };
    return undefined;
  },
  local: {
    decider: parcel,
    streamOf: (orderId) => streamName(`${category}parcel`, orderId),
    commandOf: (message) => (message.type === 'order.confirm-order.v1' ? { type: 'ship', orderId: (message.data as { orderId: string }).orderId } : undefined),
    inputOf: (event) => (event.type === 'toy.shipped' ? { type: 'toy.shipped', data: event.data as { orderId: string }, messageId: event.messageId } : undefined),
  },
});

describe('SagaRuntime and DeadlineScheduler', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let runtime: SagaRuntime;

  let readModels: DataSource;

  beforeAll(async () => {
    const url = await createTestDatabase('saga');
    pool = new pg.Pool({ connectionString: url, max: 20 });
    readModels = await new DataSource({ type: 'postgres', url, entities: [] }).initialize();
    store = new PostgresEventStore(pool);
    await store.migrate();
    await migrateMessaging(pool);
    await migrateSagas(pool);
    runtime = new SagaRuntime(store);
  });
  afterAll(async () => {
    await store.close();
    await readModels.destroy();
    await pool.end();
  });

  const category = () => `toy${randomUUID().slice(0, 8)}`;
  const started = (orderId: string, waitMs = 60_000): Input => ({ type: 'toy.started', messageId: randomUUID(), data: { orderId, waitMs } });
  const answered = (orderId: string): Input => ({ type: 'toy.answered', messageId: randomUUID(), data: { orderId } });

  it('stores state, commands and deadline as one event, and handles each input once', async () => {
    const saga = delivery(category());
    const orderId = randomUUID();
    const input = started(orderId);
    await runtime.handle(saga, input, requestContext('req-1'));
    await runtime.handle(saga, input, requestContext('req-1'));

    const events = await store.readStream(streamName(saga.category, orderId));
    expect(events).toHaveLength(1);
    const instance = await runtime.read(saga, orderId);
    expect(instance).toMatchObject({ step: 'waiting', status: 'active', state: { orderId }, deadline: { name: 'answer' } });
    expect(instance!.steps).toEqual([{ step: 'waiting', input: 'toy.started', at: expect.any(String) }]);
    expect(sagaOutbound('toy', [saga.category]).map(events[0]!)).toEqual([
      { type: 'toy.release-asked.v1', key: orderId, data: { orderId } },
    ]);
  });

  it('decides again when inputs of one saga race, losing none', async () => {
    const saga = delivery(category());
    const orderId = randomUUID();
    await runtime.handle(saga, started(orderId), requestContext());
    await Promise.all(Array.from({ length: 8 }, () => runtime.handle(saga, answered(orderId), requestContext())));
    expect((await runtime.read(saga, orderId))!.state.answers).toBe(8);
  });

  it('fires a due deadline into the saga, which compensates and ends with a reason', async () => {
    const saga = delivery(category());
    const scheduler = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20 });
    scheduler.start();
    const orderId = randomUUID();
    await runtime.handle(saga, started(orderId, 100), requestContext());
    await until(async () => (await runtime.read(saga, orderId))!.step === 'timed-out');
    await scheduler.stop();

    const instance = (await runtime.read(saga, orderId))!;
    expect(instance).toMatchObject({ status: 'completed', reason: 'no answer', deadline: null });
    const last = (await store.readStream(streamName(saga.category, orderId))).at(-1) as RecordedEvent;
    expect(sagaOutbound('toy', [saga.category]).map(last)).toEqual([{ type: 'toy.commit-asked.v1', key: orderId, data: { orderId } }]);
    expect((await pool.query('SELECT 1 FROM saga.deadlines WHERE saga_stream = $1', [streamName(saga.category, orderId)])).rowCount).toBe(0);
  });

  it('does not fire a deadline that an answer cleared', async () => {
    const saga = delivery(category());
    const scheduler = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20 });
    scheduler.start();
    const orderId = randomUUID();
    await runtime.handle(saga, started(orderId, 150), requestContext());
    await runtime.handle(saga, answered(orderId), requestContext());
    await new Promise((resolve) => setTimeout(resolve, 400));
    await scheduler.stop();
    expect((await runtime.read(saga, orderId))!.steps.map((s) => s.step)).toEqual(['waiting', 'done']);
  });

  it('fires, after a restart, a deadline that passed while no scheduler ran', async () => {
    const saga = delivery(category());
    const first = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20, clock: () => new Date(0) });
    first.start();
    const orderId = randomUUID();
    await runtime.handle(saga, started(orderId, 50), requestContext('req-restart'));
    await until(async () => (await pool.query('SELECT 1 FROM saga.deadlines WHERE saga_stream = $1', [streamName(saga.category, orderId)])).rowCount === 1);
    await first.stop(); // "crashed" before the deadline was due (its clock stands still)
    await new Promise((resolve) => setTimeout(resolve, 100));

    const second = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20 });
    second.start();
    await until(async () => (await runtime.read(saga, orderId))!.step === 'timed-out');
    await second.stop();
    const last = (await store.readStream(streamName(saga.category, orderId))).at(-1)!;
    expect(last.metadata.correlationId).toBe('req-restart');
  });

  it('ignores a deadline that is no longer the pending one', async () => {
    const saga = delivery(category());
    const orderId = randomUUID();
    await runtime.handle(saga, started(orderId), requestContext());
    await runtime.handle(saga, { type: 'saga.deadline-reached', messageId: randomUUID(), data: { name: 'answer' } }, requestContext(), orderId);
    expect((await runtime.read(saga, orderId))!.steps).toHaveLength(1);
  });

  it('keeps, for each of many sagas that stepped in one batch, the deadline of its last step', async () => {
    const saga = delivery(category());
    const orderIds = Array.from({ length: 20 }, () => randomUUID());
    for (const [i, orderId] of orderIds.entries()) {
      await runtime.handle(saga, started(orderId, 60_000 + i), requestContext(`req-${i}`));
      if (i % 2 === 1) await runtime.handle(saga, answered(orderId), requestContext());
    }
    // Started only now, it takes in every step at once; its clock stands still, so nothing fires.
    const scheduler = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20, clock: () => new Date(0) });
    scheduler.start();
    const rows = async () =>
      (
        await pool.query<{ saga_stream: string; correlation_id: string }>('SELECT saga_stream, correlation_id FROM saga.deadlines WHERE saga_stream LIKE $1 ORDER BY correlation_id', [
          `${saga.category}-%`,
        ])
      ).rows;
    const waiting = orderIds.flatMap((orderId, i) => (i % 2 === 0 ? [{ saga_stream: streamName(saga.category, orderId), correlation_id: `req-${i}` }] : []));
    await until(async () => (await rows()).length === waiting.length);
    await scheduler.stop();
    expect(await rows()).toEqual(waiting.sort((a, b) => a.correlation_id.localeCompare(b.correlation_id)));
  });

  it('writes the deadlines and its checkpoint under the fence of the background work, and nothing once deposed', async () => {
    const saga = delivery(category());
    const lease = `deadlines-${saga.category}`;
    const work = new SingleActive(pool, lease, { start: () => undefined, stop: async () => undefined }, { leaseMs: 600_000 });
    work.start();
    await until(() => work.active);
    const scheduler = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20, clock: () => new Date(0), fence: work.fence });
    const rows = async () => (await pool.query('SELECT saga_stream FROM saga.deadlines WHERE saga_stream LIKE $1', [`${saga.category}-%`])).rowCount;
    const checkpoint = () => new PostgresCheckpointStore(pool).load(`deadlines.${saga.category}`);
    try {
      scheduler.start();
      await runtime.handle(saga, started(randomUUID()), requestContext());
      await until(async () => (await rows()) === 1);
      await until(async () => (await checkpoint()) !== undefined);
      const before = await checkpoint();

      // Another instance takes the work over; this one is not told, and goes on reading the log.
      await pool.query('UPDATE platform.leases SET holder = $2, epoch = epoch + 1 WHERE name = $1', [lease, 'another instance']);
      await runtime.handle(saga, started(randomUUID()), requestContext());
      await until(() => !work.active);
      expect(await rows()).toBe(1);
      expect(await checkpoint()).toEqual(before);
    } finally {
      await scheduler.stop();
      await work.stop();
    }
  });

  it('hands its batches to the statements it is given, where another subscriber\'s batch of the same turn shares their query', async () => {
    const saga = delivery(category());
    const shared = new SharedTransactions(readModels);
    // Another subscriber's batch goes first, so the deadlines' part has a prefix and later parameters.
    const other: BatchStatement = { part: (p, first) => ({ ctes: [`${p}other AS (SELECT $${first}::int AS n)`], params: [7], columns: [`(SELECT n FROM ${p}other) AS ${p}n`], settle: () => undefined }) };
    const queries: string[] = [];
    const statements: StatementRunner = {
      run: async (statement) => {
        const spy = jest.spyOn(pg.Client.prototype, 'query');
        try {
          await Promise.all([shared.run(other), shared.run(statement)]);
          queries.push(...spy.mock.calls.map(([query]) => (typeof query === 'string' ? query : (query as pg.QueryConfig).text)));
        } finally {
          spy.mockRestore();
        }
      },
    };
    const scheduler = new DeadlineScheduler(pool, store, runtime, [saga], { pollMs: 20, statements });
    scheduler.start();
    const orderId = randomUUID();
    const row = () => pool.query('SELECT deadline_id FROM saga.deadlines WHERE saga_stream = $1', [streamName(saga.category, orderId)]);
    try {
      await runtime.handle(saga, started(orderId, 300), requestContext());
      await until(async () => (await row()).rowCount === 1);
      await until(async () => (await runtime.read(saga, orderId))!.step === 'timed-out');
      await until(async () => (await row()).rowCount === 0);
    } finally {
      await scheduler.stop();
    }
    // Each batch was one query, with the other batch's part in it (other connections' queries aside).
    const batches = queries.filter((query) => /other AS|INSERT INTO saga\.deadlines/.test(query));
    expect(batches.length).toBeGreaterThan(0);
    for (const query of batches) expect(query).toMatch(/^WITH b0_other AS[\s\S]*b1_set AS[\s\S]*b1_saved AS/);
    expect((await new PostgresCheckpointStore(pool).load(`deadlines.${saga.category}`))?.commit).toBeGreaterThan(0);
  });

  describe('with a local aggregate', () => {
    const paid = (orderId: string): DispatchInput => ({ type: 'toy.paid', messageId: randomUUID(), data: { orderId } });

    it('decides its commands to the aggregate in its own append, and takes the answer in the same step', async () => {
      const saga = dispatch(category());
      const orderId = randomUUID();
      const instance = await runtime.handle(saga, paid(orderId), requestContext('req-paid'));

      expect(instance).toMatchObject({ status: 'completed', step: 'shipped', state: { phase: 'shipped' } });
      const [shipped, ...more] = await store.readStream(saga.local!.streamOf(orderId));
      expect(more).toEqual([]);
      expect(shipped).toMatchObject({ type: 'toy.shipped', data: { orderId }, metadata: { correlationId: 'req-paid' } });
      const steps = await store.readStream(streamName(saga.category, orderId));
      expect(steps.map((step) => (step.data as { step: string }).step)).toEqual(['shipping', 'shipped']);
      // The shipment is the saga's second input, under the id the parcel's event has.
      expect((steps[1]!.data as { input: unknown }).input).toEqual({ messageId: shipped!.metadata.messageId, type: 'toy.shipped' });
      // One commit for both streams; only the command to another context leaves through the relay.
      expect(new Set([shipped!, ...steps].map((event) => event.position.commit)).size).toBe(1);
      expect(steps.flatMap((step) => sagaOutbound('toy', [saga.category]).map(step))).toEqual([
        { type: 'toy.commit-asked.v1', key: orderId, data: { orderId } },
      ]);
    });

    it('passes over, without a statement, the aggregate\'s event it decided when a feed hands it in', async () => {
      const saga = dispatch(category());
      const orderId = randomUUID();
      await runtime.handle(saga, paid(orderId), requestContext());
      const [shipped] = await store.readStream(saga.local!.streamOf(orderId));
      const reads = jest.spyOn(store, 'readStream');
      const appends = jest.spyOn(store, 'appendToStreams');
      try {
        const instance = await runtime.handle(saga, { type: 'toy.shipped', data: { orderId }, messageId: shipped!.metadata.messageId }, requestContext());
        expect(instance.steps.map((step) => step.step)).toEqual(['shipping', 'shipped']);
        expect(reads).not.toHaveBeenCalled();
        expect(appends).not.toHaveBeenCalled();
      } finally {
        reads.mockRestore();
        appends.mockRestore();
      }
      // Another process, which remembers nothing, reads the saga and finds it handled too.
      const elsewhere = await new SagaRuntime(store).handle(saga, { type: 'toy.shipped', data: { orderId }, messageId: shipped!.metadata.messageId }, requestContext());
      expect(elsewhere.steps).toHaveLength(2);
      expect(await store.readStream(streamName(saga.category, orderId))).toHaveLength(2);
    });

    it('reads an instance whose state changed shape since its steps were written, in the newest shape', async () => {
      const saga = delivery(category());
      const orderId = randomUUID();
      await runtime.handle(saga, started(orderId), requestContext());
      // The state's next shape: replies where there were answers, and the way from the old one.
      const reshaped: SagaDefinition<{ orderId?: string; replies: number }, Input> = {
        category: saga.category,
        sagaIdOf: saga.sagaIdOf,
        initialState: () => ({ replies: 0 }),
        react: (state, input) => (input.type === 'toy.answered' ? { state: { ...state, replies: state.replies + 1 }, step: 'done', status: 'completed', deadline: null } : undefined),
        stateVersion: 2,
        upcastState: {
          1: (state) => {
            const { answers, ...rest } = state as State;
            return { ...rest, replies: answers };
          },
        },
      };
      // Without its upcasters, the old step is refused rather than taken in the wrong shape.
      await expect(new SagaRuntime(store).read(reshaped, orderId)).rejects.toThrow(
        `A ${saga.category} step is saga.input-handled.v1, but its state is saga.input-handled.v2: list sagaUpcasters(definition) among its context's upcasters.`,
      );
      const upcasting = new UpcastingEventStore(store, new Upcasters(sagaUpcasters(reshaped)));
      const later = new SagaRuntime(upcasting);

      const instance = await later.handle(reshaped, answered(orderId), requestContext());
      expect(instance).toMatchObject({ state: { orderId, replies: 1 }, status: 'completed', steps: [{ step: 'waiting' }, { step: 'done' }] });
      expect((await later.read(reshaped, orderId))?.state).toEqual({ orderId, replies: 1 });
      // Stored as each was written; the step of a saga of another category is not touched.
      const stored = await store.readStream(streamName(saga.category, orderId));
      expect(stored.map(({ type, data }) => [type, (data as { state: unknown }).state])).toEqual([
        ['saga.input-handled.v1', { orderId, answers: 0 }],
        ['saga.input-handled.v2', { orderId, replies: 1 }],
      ]);
      const elsewhere = delivery(category());
      await runtime.handle(elsewhere, started(orderId), requestContext());
      const other = await upcasting.readStream(streamName(elsewhere.category, orderId));
      expect(other.map(({ type, data }) => [type, (data as { state: unknown }).state])).toEqual([['saga.input-handled.v1', { orderId, answers: 0 }]]);
    });

    it('takes its step in a decision its context takes on the aggregate, which a feed then finds handled', async () => {
      const saga = dispatch(category());
      const orderId = randomUUID();
      const shared = new CommandHandler(store);
      const local = new SagaRuntime(store, { commands: shared });
      // The context ships the parcel itself (not the saga), and the saga's share goes in the same append.
      const share = local.share(saga, orderId);
      await shared.handleTogether(
        [{ decider: parcel, streamName: saga.local!.streamOf(orderId) }, share.part],
        ([state, instance]) => share.decide(instance, state, parcel.decide({ type: 'ship', orderId }, state)),
        requestContext(),
      );

      const [shipped, ...more] = await store.readStream(saga.local!.streamOf(orderId));
      expect(more).toEqual([]);
      const [step, ...later] = await store.readStream(streamName(saga.category, orderId));
      expect(later).toEqual([]);
      expect(step!.data).toMatchObject({ step: 'shipped', status: 'completed', input: { messageId: shipped!.metadata.messageId, type: 'toy.shipped' } });
      expect(step!.position.commit).toBe(shipped!.position.commit);

      const appends = [jest.spyOn(store, 'appendToStreams'), jest.spyOn(store, 'appendToStream')];
      try {
        const instance = await local.handle(saga, { type: 'toy.shipped', data: { orderId }, messageId: shipped!.metadata.messageId }, requestContext());
        expect(instance.steps.map((s) => s.step)).toEqual(['shipped']);
        for (const append of appends) expect(append).not.toHaveBeenCalled();
      } finally {
        for (const append of appends) append.mockRestore();
      }
    });

    it('decides on what another writer appended to the aggregate since, and records a step the aggregate refused', async () => {
      const saga = dispatch(category());
      const orderId = randomUUID();
      const shared = new CommandHandler(store);
      const local = new SagaRuntime(store, { commands: shared });
      // The parcel is known to this process as new, then held by another process.
      await shared.handle(parcel, saga.local!.streamOf(orderId), { type: 'hold', orderId }, requestContext());
      await new CommandHandler(store).handle(parcel, saga.local!.streamOf(orderId), { type: 'hold', orderId }, requestContext());

      const instance = await local.handle(saga, paid(orderId), requestContext());
      expect(instance).toMatchObject({ status: 'active', step: 'shipping' });
      expect((await store.readStream(saga.local!.streamOf(orderId))).map((event) => event.type)).toEqual(['toy.held', 'toy.held']);
      const steps = await store.readStream(streamName(saga.category, orderId));
      expect(steps.flatMap((step) => sagaOutbound('toy', [saga.category]).map(step))).toEqual([
        { type: 'toy.commit-asked.v1', key: orderId, data: { orderId } },
      ]);
    });
  });
});

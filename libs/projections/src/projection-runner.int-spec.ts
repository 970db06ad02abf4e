import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import type { Migration } from '@agora/platform';
import { requestContext, withMetadata, type PostgresEventStore, type RecordedEvent } from '@agora/event-sourcing';
import { readSideForTest, type ReadSideForTest } from '../../testing/src/read-models.js';
import { until } from '../../testing/src/until.js';
import { PostgresParkedEvents } from '@agora/messaging';
import { SingleActive } from '@agora/platform';
import type { Projection } from './projection.js';
import { ProjectionRunner } from './projection-runner.js';
import { rebuildProjection } from './rebuild.js';
import { rowProjection } from './row-projection.js';

// A read model small enough to reason about: per counter, how many `counted` events and
// the sum of their amounts. A doubled or lost event shows in both columns.

@Entity({ name: 'tallies' })
class Tally {
  @PrimaryColumn('text')
  counter!: string;

  @Column('integer')
  events!: number;

  @Column('integer')
  total!: number;
}

const tallies0001: Migration = { name: '0001-tallies', up: 'CREATE SCHEMA IF NOT EXISTS tally_read; CREATE TABLE tally_read.tallies (counter text PRIMARY KEY, events integer NOT NULL, total integer NOT NULL)' };

const tallies = (category: string, options: { rowPerStream?: boolean } = {}): Projection =>
  rowProjection<Tally>({
    ...options,
    name: `tallies.${category}`,
    schema: 'tally_read',
    categories: [category],
    entity: Tally,
    key: 'counter',
    keyOf: (event) => event.streamName,
    evolve: (row, event) => {
      const { amount } = event.data as { amount: number };
      return Object.assign(new Tally(), { counter: event.streamName, events: (row?.events ?? 0) + 1, total: (row?.total ?? 0) + amount });
    },
  });

describe('ProjectionRunner', () => {
  let side: ReadSideForTest;
  let store: PostgresEventStore;
  let readModels: DataSource;

  beforeAll(async () => {
    side = await readSideForTest('projections', { schema: 'tally_read', entities: [Tally], migrations: [tallies0001] });
    ({ store, readModels } = side);
  });
  afterAll(() => side.close());

  const category = () => `count${randomUUID().slice(0, 8)}`;
  /** Appends `n` events spread over `counters` streams; returns the expected tallies. */
  async function count(c: string, n: number, counters = 5): Promise<Map<string, { events: number; total: number }>> {
    const expected = new Map<string, { events: number; total: number }>();
    for (let i = 0; i < n; i++) {
      const counter = `${c}-${i % counters}`;
      const amount = (i % 7) + 1;
      await store.appendToStream(counter, [withMetadata({ type: 'counter.counted.v1', data: { amount } }, requestContext(), new Date())], 'any');
      const before = expected.get(counter) ?? { events: 0, total: 0 };
      expected.set(counter, { events: before.events + 1, total: before.total + amount });
    }
    return expected;
  }
  const rowsOf = async (c: string) =>
    new Map(
      (await readModels.getRepository(Tally).find({ order: { counter: 'ASC' } }))
        .filter((row) => row.counter.startsWith(`${c}-`))
        .map((row) => [row.counter, { events: row.events, total: row.total }]),
    );

  it('applies every event once, with its checkpoint, and tells when it has caught up with a position', async () => {
    const c = category();
    const expected = await count(c, 120);
    const runner = new ProjectionRunner(readModels, store, tallies(c), { maxBatchSize: 25 });
    runner.start();
    const [last] = await store.readAll({ categories: [c] }).then((events) => events.slice(-1));
    expect(await runner.waitFor(last!.position, 10_000)).toBe(true);
    await runner.stop();

    expect(await rowsOf(c)).toEqual(expected);
    const status = await runner.status();
    expect(status).toMatchObject({ name: `tallies.${c}`, checkpoint: last!.position, lagEvents: 0, lagMs: 0 });
  });

  it('tells of each committed batch with the row each of its streams left, as a read of the row finds it', async () => {
    const c = category();
    await count(c, 60, 3);
    const handed = new Map<string, unknown>();
    const runner = new ProjectionRunner(readModels, store, tallies(c), {
      maxBatchSize: 7,
      onCommitted: (events, rows) => {
        for (const { streamName } of events) handed.set(streamName, rows?.get(streamName));
      },
    });
    runner.start();
    await until(async () => (await runner.status()).lagEvents === 0, 15_000);
    await runner.stop();
    const read = await readModels.getRepository(Tally).find({ order: { counter: 'ASC' } });
    expect([...handed.keys()].sort()).toEqual([`${c}-0`, `${c}-1`, `${c}-2`]);
    for (const [counter, row] of handed) expect(row).toEqual(read.find((tally) => tally.counter === counter));
  });

  it('reads no row it committed itself, nor one for a stream it sees begin; a runner that resumes reads them again', async () => {
    const c = category();
    const queries: string[] = [];
    const logger = readModels.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, queryRunner) => {
      if (/FROM "tallies"/.test(query) && parameters?.some((value: unknown) => String(value).startsWith(`${c}-`))) queries.push(query);
      return logQuery(query, parameters, queryRunner);
    };
    try {
      const expected = await count(c, 40, 4);
      const first = new ProjectionRunner(readModels, store, tallies(c, { rowPerStream: true }), { maxBatchSize: 3 });
      first.start();
      await until(async () => (await first.status()).lagEvents === 0, 15_000);
      await first.stop();
      expect(await rowsOf(c)).toEqual(expected);
      expect(queries).toEqual([]);

      const more = await count(c, 8, 4);
      const second = new ProjectionRunner(readModels, store, tallies(c, { rowPerStream: true }), { maxBatchSize: 3 });
      second.start();
      await until(async () => (await second.status()).lagEvents === 0, 15_000);
      await second.stop();
      expect(queries.length).toBeGreaterThan(0); // its streams began before it: their rows are read
      const sum = new Map([...expected].map(([counter, { events, total }]) => [counter, { events: events + more.get(counter)!.events, total: total + more.get(counter)!.total }]));
      expect(await rowsOf(c)).toEqual(sum);
    } finally {
      logger.logQuery = logQuery;
    }
  });

  it('loses and doubles nothing when a batch fails half-way: the batch rolls back with its checkpoint and is applied again', async () => {
    const c = category();
    const expected = await count(c, 100);
    const { plan: _planned, ...projection } = tallies(c); // applied in the runner's transaction
    let failuresLeft = 3;
    const crashing: Projection = {
      ...projection,
      apply: async (events: readonly RecordedEvent[], rows, committed) => {
        await projection.apply(events, rows, committed); // rows written, and staged as committed...
        if (failuresLeft-- > 0) throw new Error('killed mid-batch'); // ...and the process dies before the commit
      },
    };
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(readModels, store, crashing, { maxBatchSize: 30, onError: (error) => errors.push(error) });
    runner.start();
    await until(async () => (await runner.status()).lagEvents === 0, 15_000);
    await runner.stop();

    expect(errors).toHaveLength(3);
    expect(await rowsOf(c)).toEqual(expected);
  });

  it('parks an event it cannot apply and the later ones of its stream, goes on with the other streams, and applies them once when retried after a fix', async () => {
    const c = category();
    const projection = tallies(c);
    let fixed = false;
    const check = (events: readonly RecordedEvent[]) => {
      if (!fixed && events.some((event) => (event.data as { amount: number }).amount < 0)) throw new Error('amount out of range');
    };
    const fragile: Projection = {
      ...projection,
      // A batch is planned; a parked event tried again is applied in the transaction that takes it off the shelf.
      plan: async (events, read, committed) => {
        check(events);
        return projection.plan!(events, read, committed);
      },
      apply: async (events: readonly RecordedEvent[], rows) => {
        check(events);
        await projection.apply(events, rows);
      },
    };
    const expected = await count(c, 40, 4);
    const poisoned = `${c}-0`;
    await store.appendToStream(poisoned, [withMetadata({ type: 'counter.counted.v1', data: { amount: -5 } }, requestContext(), new Date())], 'any');
    await count(c, 8, 4).then((more) => more.forEach((tally, counter) => expected.set(counter, { events: expected.get(counter)!.events + tally.events, total: expected.get(counter)!.total + tally.total })));
    expected.set(poisoned, { events: expected.get(poisoned)!.events + 1, total: expected.get(poisoned)!.total - 5 });

    const parked = new PostgresParkedEvents(side.pool);
    const runner = new ProjectionRunner(readModels, store, fragile, { maxBatchSize: 10, parked, onError: () => undefined });
    runner.start();
    try {
      await until(async () => (await runner.status()).lagEvents === 0, 15_000);
      // The other streams are complete; the poisoned one stops before its bad event, which waits with the two after it.
      const rows = await rowsOf(c);
      for (const counter of [`${c}-1`, `${c}-2`, `${c}-3`]) expect(rows.get(counter)).toEqual(expected.get(counter));
      expect(rows.get(poisoned)!.events).toBe(10);
      const shelf = await parked.list(projection.name);
      expect(shelf.map((event) => [event.streamName, (event.event.data as { amount: number }).amount, event.attempts])).toEqual([
        [poisoned, -5, 5],
        [poisoned, 1, 0],
        [poisoned, 5, 0],
      ]);
      expect(shelf[0]!.error).toContain('amount out of range');

      fixed = true;
      expect(await parked.requestRetry(projection.name)).toBe(3);
      await until(async () => (await parked.list(projection.name)).length === 0, 15_000);
      expect(await rowsOf(c)).toEqual(expected);
    } finally {
      await runner.stop();
    }
  });

  it('has no doubled effect when two runners of the same projection race', async () => {
    const c = category();
    await count(c, 1);
    const runners = [0, 1].map(() => new ProjectionRunner(readModels, store, tallies(c), { maxBatchSize: 10 }));
    for (const runner of runners) runner.start();
    await until(async () => (await runners[0]!.status()).lagEvents === 0);
    // Both are running now; what comes next reaches both of them.
    const expected = await count(c, 300);
    const zero = expected.get(`${c}-0`)!;
    expected.set(`${c}-0`, { events: zero.events + 1, total: zero.total + 1 }); // the first event, amount 1
    await until(async () => (await runners[0]!.status()).lagEvents === 0, 15_000);
    await Promise.all(runners.map((runner) => runner.stop()));
    expect(await rowsOf(c)).toEqual(expected);
  });

  it('rebuilds from zero into fresh tables, row for row the same, and the live runner carries on on them', async () => {
    const c = category();
    const projection = tallies(c);
    await count(c, 200);
    const live = new ProjectionRunner(readModels, store, projection, { maxBatchSize: 50 });
    live.start();
    await until(async () => (await live.status()).lagEvents === 0, 15_000);
    const before = await rowsOf(c);

    const progress: number[] = [];
    const rebuilt = await rebuildProjection(readModels, store, projection, { batchSize: 40, onProgress: ({ events }) => progress.push(events) });
    expect(rebuilt.events).toBeGreaterThanOrEqual(200);
    expect(progress.length).toBeGreaterThan(1);
    expect(await rowsOf(c)).toEqual(before);

    // Appended after the switch: the live runner applies it to the new tables, once.
    const more = await count(c, 30);
    await until(async () => (await live.status()).lagEvents === 0, 15_000);
    await live.stop();
    const after = await rowsOf(c);
    for (const [counter, added] of more) {
      expect(after.get(counter)).toEqual({ events: before.get(counter)!.events + added.events, total: before.get(counter)!.total + added.total });
    }
  });

  it('commits no batch under a lease another instance has taken over, parks nothing for it, and its instance stops the work', async () => {
    const c = category();
    const projection = tallies(c);
    const expected = await count(c, 20);
    const parked = new PostgresParkedEvents(side.pool);
    let runner: ProjectionRunner | undefined;
    const lease = new SingleActive(
      side.pool,
      `test-${c}`,
      {
        start: () => {
          runner = new ProjectionRunner(readModels, store, projection, { maxBatchSize: 10, parked, fence: lease.fence, onError: () => undefined });
          runner.start();
        },
        stop: () => runner!.stop(),
      },
      // No renewal within the test: only the refused batch can tell the instance.
      { leaseMs: 600_000 },
    );
    lease.start();
    try {
      await until(async () => lease.active && runner !== undefined && (await runner.status()).lagEvents === 0, 15_000);
      expect(await rowsOf(c)).toEqual(expected);

      // Another instance takes the lease over (as a standby does once it has expired); this one is not told.
      await side.pool.query('UPDATE platform.leases SET holder = $2, epoch = epoch + 1 WHERE name = $1', [`test-${c}`, 'another instance']);
      await count(c, 10);
      await until(() => !lease.active, 15_000);
      expect(await rowsOf(c)).toEqual(expected);
      expect(await parked.list(projection.name)).toEqual([]);
    } finally {
      await lease.stop();
    }
  });
});

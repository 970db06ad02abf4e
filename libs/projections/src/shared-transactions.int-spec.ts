import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { Migration } from '@agora/platform';
import { requestContext, withMetadata, type PostgresEventStore } from '@agora/event-sourcing';
import { PostgresParkedEvents } from '@agora/messaging';
import { readSideForTest, type ReadSideForTest } from '../../testing/src/read-models.js';
import { until } from '../../testing/src/until.js';
import { CheckpointMoved, ProjectionCheckpoints } from './projection-checkpoints.js';
import { Projections } from './projections.js';
import { rowProjection } from './row-projection.js';
import { SharedTransactions } from './shared-transactions.js';

/** Per stream, how many events were applied to its row. */
@Entity({ name: 'marks' })
class Mark {
  @PrimaryColumn('text')
  stream!: string;

  @Column('integer')
  events!: number;
}

const marks0001: Migration = { name: '0001-marks', up: 'CREATE SCHEMA IF NOT EXISTS shared_read; CREATE TABLE shared_read.marks (stream text PRIMARY KEY, events integer NOT NULL)' };

describe('SharedTransactions', () => {
  let side: ReadSideForTest;
  let store: PostgresEventStore;
  let readModels: DataSource;

  beforeAll(async () => {
    side = await readSideForTest('shared_transactions', { schema: 'shared_read', entities: [Mark], migrations: [marks0001] });
    ({ store, readModels } = side);
  });
  afterAll(() => side.close());

  const mark = (rows: EntityManager, stream: string) => rows.query('INSERT INTO shared_read.marks (stream, events) VALUES ($1, 1)', [stream]);
  const marked = async (prefix: string) =>
    ((await readModels.query('SELECT stream FROM shared_read.marks WHERE stream LIKE $1 ORDER BY stream', [`${prefix}%`])) as { stream: string }[]).map(
      ({ stream }) => stream,
    );

  it('runs the batches handed over in one turn in one transaction, and those handed over while it runs together in the next', async () => {
    const shared = new SharedTransactions(readModels);
    const txid = async (rows: EntityManager) => ((await rows.query('SELECT txid_current()::text AS id')) as { id: string }[])[0]!.id;
    const ids: string[][] = [[], []];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = [0, 1, 2].map((i) =>
      shared.run(async (rows) => {
        ids[0]!.push(await txid(rows));
        if (i === 2) {
          started();
          await held;
        }
      }),
    );
    await running;
    const second = [0, 1].map(() => shared.run(async (rows) => void ids[1]!.push(await txid(rows))));
    release();
    await Promise.all([...first, ...second]);
    expect(new Set(ids[0]).size).toBe(1);
    expect(ids[0]).toHaveLength(3);
    expect(new Set(ids[1]).size).toBe(1);
    expect(ids[1]).toHaveLength(2);
    expect(ids[1]![0]).not.toBe(ids[0]![0]);
  });

  it('fails only the batch at fault, whether it throws or PostgreSQL refuses its statement; the others of its transaction are committed', async () => {
    const shared = new SharedTransactions(readModels);
    const prefix = `m${randomUUID().slice(0, 8)}`;
    const outcomes = await Promise.allSettled([
      shared.run((rows) => mark(rows, `${prefix}-a`)),
      shared.run(async (rows) => {
        await mark(rows, `${prefix}-b`);
        throw new Error('cannot apply it');
      }),
      shared.run((rows) => mark(rows, `${prefix}-c`)),
      shared.run(async (rows) => {
        await mark(rows, `${prefix}-d`);
        await rows.query('SELECT 1 / 0');
      }),
      shared.run((rows) => mark(rows, `${prefix}-e`)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('cannot apply it');
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toContain('division by zero');
    expect(await marked(prefix)).toEqual([`${prefix}-a`, `${prefix}-c`, `${prefix}-e`]);
  });

  it('runs batches that are each one statement as one statement; one refused by its checkpoint or by PostgreSQL fails alone', async () => {
    const shared = new SharedTransactions(readModels);
    const checkpoints = new ProjectionCheckpoints(readModels);
    const prefix = `s${randomUUID().slice(0, 8)}`;
    const at = (n: number) => ({ commit: n, prepare: 0 });
    const batch = (name: string, from: number | undefined, events: number | null = 1) =>
      checkpoints.move('shared_read', `${prefix}.${name}`, from === undefined ? undefined : at(from), at(from === undefined ? 1 : from + 1), [
        { entity: Mark, key: ['stream'], rows: [Object.assign(new Mark(), { stream: `${prefix}-${name}`, events })] },
      ]);
    const checkpoint = async (name: string) => (await checkpoints.load(`${prefix}.${name}`))?.commit;
    await readModels.query('INSERT INTO messaging.checkpoints (name, commit_position, prepare_position) VALUES ($1, 5, 0)', [`${prefix}.b`]);
    const queries = jest.spyOn(pg.Client.prototype, 'query');
    try {
      // b's batch starts from 3: someone else moved its checkpoint on to 5.
      const outcomes = await Promise.allSettled([shared.run(batch('a', undefined)), shared.run(batch('b', 3)), shared.run(batch('c', undefined))]);
      expect(queries).toHaveBeenCalledTimes(1); // no START, no COMMIT
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(CheckpointMoved);
      expect(await marked(prefix)).toEqual([`${prefix}-a`, `${prefix}-c`]);
      expect([await checkpoint('a'), await checkpoint('b'), await checkpoint('c')]).toEqual([1, 5, 1]);

      const refused = await Promise.allSettled([shared.run(batch('d', undefined, null)), shared.run(batch('e', undefined))]);
      expect(refused.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
      expect(String((refused[0] as PromiseRejectedResult).reason)).toContain('null value in column "events"');
      expect(await marked(prefix)).toEqual([`${prefix}-a`, `${prefix}-c`, `${prefix}-e`]);
      expect([await checkpoint('d'), await checkpoint('e')]).toEqual([undefined, 1]);
    } finally {
      queries.mockRestore();
    }
  });

  it('lets the projections of a process go on when one of them parks an event it cannot apply', async () => {
    const category = (name: string) => `${name}${randomUUID().slice(0, 8)}`;
    const [steady, fragile] = [category('steady'), category('fragile')];
    const marks = (name: string, categories: string[], applies: (data: { bad?: boolean }) => boolean) =>
      rowProjection<Mark>({
        name,
        schema: 'shared_read',
        categories,
        entity: Mark,
        key: 'stream',
        keyOf: (event) => event.streamName,
        evolve: (row, event) => {
          if (!applies(event.data as { bad?: boolean })) throw new Error('a bad event');
          return Object.assign(new Mark(), { stream: event.streamName, events: (row?.events ?? 0) + 1 });
        },
      });
    const projections = new Projections(
      readModels,
      store,
      [marks(`marks.${steady}`, [steady], () => true), marks(`marks.${fragile}`, [fragile], (data) => !data.bad)],
      { parked: new PostgresParkedEvents(side.pool), onError: () => undefined },
    );
    const append = (stream: string, data: { bad?: boolean } = {}) =>
      store.appendToStream(stream, [withMetadata({ type: 'thing.happened.v1', data }, requestContext(), new Date())], 'any');
    projections.start();
    try {
      await append(`${fragile}-1`);
      await append(`${fragile}-2`, { bad: true });
      let last = await append(`${steady}-1`);
      for (let i = 0; i < 20; i++) {
        await append(`${fragile}-${1 + (i % 3)}`);
        last = await append(`${steady}-${1 + (i % 2)}`);
      }
      expect(await projections.waitFor(`marks.${steady}`, last.position, 15_000)).toBe(true);
      await until(async () => (await projections.statuses()).every((status) => status.lagEvents === 0), 15_000);
      const rows = new Map((await readModels.getRepository(Mark).find()).map((row) => [row.stream, row.events]));
      expect([1, 2].map((n) => rows.get(`${steady}-${n}`))).toEqual([11, 10]);
      // The fragile projection applied its other streams; the one with the bad event stops before it.
      expect([1, 2, 3].map((n) => rows.get(`${fragile}-${n}`))).toEqual([8, undefined, 6]);
      expect((await new PostgresParkedEvents(side.pool).list(`marks.${fragile}`)).map((event) => event.streamName)).toEqual(
        Array.from({ length: 8 }, () => `${fragile}-2`),
      );
    } finally {
      await projections.stop();
    }
  });
});

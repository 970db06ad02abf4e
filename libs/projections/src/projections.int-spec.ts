import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { requestContext, withMetadata, type PostgresEventStore } from '@agora/event-sourcing';
import type { DataSource } from 'typeorm';
import { readSideForTest, type ReadSideForTest } from '../../testing/src/read-models.js';
import type { Projection } from './projection.js';
import { Projections } from './projections.js';

describe('Projections: watching for committed batches', () => {
  let side: ReadSideForTest;
  let store: PostgresEventStore;
  let readModels: DataSource;

  beforeAll(async () => {
    side = await readSideForTest('projection_watch', { schema: 'watch_read', entities: [], migrations: [] });
    ({ store, readModels } = side);
  });
  afterAll(() => side.close());

  // Only its batches matter here, not what it writes.
  const category = `watched${randomUUID().slice(0, 8)}`;
  const projection: Projection = { name: `watched.${category}`, schema: 'watch_read', categories: [category], tables: [], apply: async () => undefined };
  const append = async (id: string) => {
    const { position } = await store.appendToStream(`${category}-${id}`, [withMetadata({ type: 'thing.happened.v1', data: {} }, requestContext(), new Date())], 'any');
    return position;
  };

  it('wakes a watch where the projection runs for its stream’s batches, and in a standby instance for any', async () => {
    const active = new Projections(readModels, store, [projection]);
    const standby = new Projections(readModels, store, [projection], { standbyWatchMs: 50 });
    active.start();
    try {
      const here = active.watch(projection.name, `${category}-1`);
      const there = standby.watch(projection.name, `${category}-1`);

      expect(await active.waitFor(projection.name, await append('2'))).toBe(true);
      expect(await here.next(0)).toBe(false);
      expect(await active.waitFor(projection.name, await append('1'))).toBe(true);
      expect(await here.next(0)).toBe(true);

      // The standby instance learns of batches from the checkpoint the active one moves.
      expect(await there.next(10_000)).toBe(true);
      await append('3');
      expect(await there.next(10_000)).toBe(true);

      here.close();
      there.close();
      expect([active.watching(projection.name), standby.watching(projection.name)]).toEqual([0, 0]);
    } finally {
      await active.stop();
      await standby.stop();
    }
  });
});

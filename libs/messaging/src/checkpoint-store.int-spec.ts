import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Deposed, SingleActive } from '@agora/platform';
import { createTestDatabase } from '../../testing/src/postgres.js';
import { until } from '../../testing/src/until.js';
import { PostgresCheckpointStore } from './checkpoint-store.js';
import { migrateMessaging } from './schema.js';

describe('PostgresCheckpointStore under the background work fence', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('checkpoints'), max: 4 });
    await migrateMessaging(pool);
  });
  afterAll(() => pool.end());

  it('saves while its instance holds the lease, refuses once another took it over, and its instance stops the work', async () => {
    const lease = `test-${randomUUID()}`;
    const steps: string[] = [];
    // No renewal within the test: only the refused save can tell the instance.
    const work = new SingleActive(pool, lease, { start: () => void steps.push('started'), stop: async () => void steps.push('stopped') }, { leaseMs: 600_000 });
    work.start();
    try {
      await until(() => work.active);
      const checkpoints = new PostgresCheckpointStore(pool, work.fence);
      await checkpoints.save('relay.test', { commit: 10, prepare: 10 });
      expect(await checkpoints.load('relay.test')).toEqual({ commit: 10, prepare: 10 });

      // Another instance takes the lease over (as a standby does once it has expired); this one is not told.
      await pool.query('UPDATE platform.leases SET holder = $2, epoch = epoch + 1 WHERE name = $1', [lease, 'another instance']);
      await expect(checkpoints.save('relay.test', { commit: 20, prepare: 20 })).rejects.toThrow(Deposed);
      expect(await checkpoints.load('relay.test')).toEqual({ commit: 10, prepare: 10 });
      await until(() => !work.active);
      expect(steps).toEqual(['started', 'stopped']);
    } finally {
      await work.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase } from '../../testing/src/postgres.js';
import { PostgresCheckpointStore } from './checkpoint-store.js';
import { claimCheckpointsForEventStore, migrateMessaging } from './schema.js';

describe('the event store of the checkpoints', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('checkpoint_owner'), max: 4 });
    await migrateMessaging(pool);
  });
  afterAll(() => pool.end());

  it('is claimed by the first host, accepted for the same store, and refused, naming EVENT_STORE, for another', async () => {
    await claimCheckpointsForEventStore(pool, 'postgres');
    await new PostgresCheckpointStore(pool).save('relay.orders', { commit: 7000, prepare: 12 });
    await claimCheckpointsForEventStore(pool, 'postgres');

    await expect(claimCheckpointsForEventStore(pool, 'esdb')).rejects.toThrow(
      'EVENT_STORE is esdb, but the checkpoints in this database (messaging.checkpoints) are positions in the postgres event store. Set EVENT_STORE=postgres, or use a fresh database for esdb.',
    );
    expect(await new PostgresCheckpointStore(pool).load('relay.orders')).toEqual({ commit: 7000, prepare: 12 });
  });

  it('is claimed once when hosts start side by side', async () => {
    const fresh = new pg.Pool({ connectionString: await createTestDatabase('checkpoint_owner_race'), max: 8 });
    try {
      await migrateMessaging(fresh);
      const outcomes = await Promise.allSettled(['esdb', 'postgres', 'esdb', 'postgres', 'esdb', 'postgres'].map((store) => claimCheckpointsForEventStore(fresh, store)));
      const { rows } = await fresh.query<{ event_store: string }>('SELECT event_store FROM messaging.checkpoints_event_store');
      expect(rows).toHaveLength(1);
      const winner = rows[0]!.event_store;
      outcomes.forEach((outcome, i) => expect(outcome.status).toBe(['esdb', 'postgres'][i % 2] === winner ? 'fulfilled' : 'rejected'));
    } finally {
      await fresh.end();
    }
  });
});

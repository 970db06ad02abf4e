import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventStoreForTest } from '../../../testing/src/event-store-for-test.js';
import { CommandHandler } from '../command-handler.js';
import type { Decider } from '../decider.js';
import type { Event } from '../event.js';
import type { ReadStreamOptions } from '../event-store.js';
import { requestContext } from '../message-context.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import { PostgresSnapshotStore } from './postgres-snapshot-store.js';
import type { SnapshotStore } from './snapshot-store.js';

// A tally of who voted, snapshotted every 5 events.
type Voted = Event<'tally.voted.v1', { by: string }>;
type Tally = { readonly votes: number; readonly voters: readonly string[] };
const tally: Decider<{ by: string }, Voted, Tally> = {
  initialState: () => ({ votes: 0, voters: [] }),
  evolve: (state, event) => ({ votes: state.votes + 1, voters: [...state.voters, event.data.by] }),
  decide: (command) => [{ type: 'tally.voted.v1', data: { by: command.by } }],
  snapshots: { every: 5, version: 2, toJSON: (state) => state, fromJSON: (json) => json as Tally },
};

describe('snapshots of long streams', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let snapshots: PostgresSnapshotStore;

  beforeAll(async () => {
    ({ pool, store } = await eventStoreForTest('snapshots', { max: 10 }));
    snapshots = new PostgresSnapshotStore(pool);
    await snapshots.migrate();
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  /** The store, recording the revision each read of a stream starts at. */
  function watched() {
    const readsFrom: number[] = [];
    const wrapped = Object.create(store, {
      readStream: { value: (name: string, options?: ReadStreamOptions) => (readsFrom.push(options?.fromRevision ?? 0), store.readStream(name, options)) },
    });
    return { store: wrapped as PostgresEventStore, readsFrom };
  }

  async function vote(handler: CommandHandler, stream: string, voters: readonly string[]) {
    let last;
    for (const by of voters) last = await handler.handle(tally, stream, { by }, requestContext());
    return last!;
  }
  const voters = (count: number, prefix = 'v') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

  it('writes a snapshot once a stream has grown past the policy, and a restarted handler reads only the events after it', async () => {
    const first = new CommandHandler(store, { snapshots });
    await vote(first, 'tally-a', voters(12));
    await first.snapshotsWritten();
    expect(await snapshots.load('tally-a')).toMatchObject({ revision: 9, version: 2, state: { votes: 10 } });

    const { store: restartedStore, readsFrom } = watched();
    const restarted = new CommandHandler(restartedStore, { snapshots });
    const result = await restarted.handle(tally, 'tally-a', { by: 'late' }, requestContext());

    expect(readsFrom).toEqual([10]);
    expect(result.state).toEqual({ votes: 13, voters: [...voters(12), 'late'] });
    expect(result.revision).toBe(12);
  });

  it('is a cache: deleting the snapshots changes no state, only how much is read', async () => {
    const writer = new CommandHandler(store, { snapshots });
    await vote(writer, 'tally-b', voters(23));
    await writer.snapshotsWritten();
    const withSnapshot = await new CommandHandler(store, { snapshots }).load(tally, 'tally-b');

    await pool.query(`DELETE FROM event_store.snapshots WHERE stream_name = 'tally-b'`);
    const { store: restartedStore, readsFrom } = watched();
    const withoutSnapshot = await new CommandHandler(restartedStore, { snapshots }).load(tally, 'tally-b');

    expect(withoutSnapshot).toEqual(withSnapshot);
    expect(withoutSnapshot).toEqual({ state: { votes: 23, voters: voters(23) }, revision: 22 });
    expect(readsFrom).toEqual([0]);
  });

  it('ignores a snapshot of another version of the state, and folds the stream from the start', async () => {
    await vote(new CommandHandler(store), 'tally-c', voters(3));
    await snapshots.save({ streamName: 'tally-c', revision: 2, version: 1, state: { count: 99 } });

    const { store: restartedStore, readsFrom } = watched();
    const loaded = await new CommandHandler(restartedStore, { snapshots }).load(tally, 'tally-c');

    expect(loaded).toEqual({ state: { votes: 3, voters: voters(3) }, revision: 2 });
    expect(readsFrom).toEqual([0]);
  });

  it('answers every command while the snapshot store fails, and reports the failures', async () => {
    const failures: string[] = [];
    const broken: SnapshotStore = {
      load: () => Promise.reject(new Error('snapshot store down')),
      save: () => Promise.reject(new Error('snapshot store down')),
    };
    const handler = new CommandHandler(store, { snapshots: broken, onSnapshotFailure: (message) => failures.push(message) });

    const last = await vote(handler, 'tally-d', voters(7));
    await handler.snapshotsWritten();

    expect(last.state.votes).toBe(7);
    expect(failures).toEqual([
      'Reading the snapshot of tally-d failed; folding the stream from the start.',
      'Writing a snapshot of tally-d at revision 4 failed.',
    ]);
  });

  it('keeps the later of two snapshots of the same stream', async () => {
    await snapshots.save({ streamName: 'tally-e', revision: 9, version: 2, state: { votes: 10, voters: [] } });
    await snapshots.save({ streamName: 'tally-e', revision: 4, version: 2, state: { votes: 5, voters: [] } });
    expect(await snapshots.load('tally-e')).toMatchObject({ revision: 9 });
  });
});

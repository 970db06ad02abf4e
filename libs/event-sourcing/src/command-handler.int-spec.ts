import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventStoreForTest } from '../../testing/src/event-store-for-test.js';
import { CommandHandler } from './command-handler.js';
import type { Decider } from './decider.js';
import type { Event } from './event.js';
import { WrongExpectedVersion } from './errors.js';
import { requestContext, causedBy } from './message-context.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

// A tiny ticket counter: enough to exercise loading, deciding, conflicts and refusals.
type TicketEvent = Event<'ticket.issued.v1', { number: number; by: string }>;
type TicketCommand = { type: 'issue'; by: string; limit: number } | { type: 'issue-once'; by: string };
class SoldOut extends Error {}
const tickets: Decider<TicketCommand, TicketEvent, { issued: number; holders: string[] }> = {
  initialState: () => ({ issued: 0, holders: [] }),
  evolve: (state, event) => ({ issued: event.data.number, holders: [...state.holders, event.data.by] }),
  decide: (command, state) => {
    if (command.type === 'issue-once' && state.holders.includes(command.by)) return [];
    if (command.type === 'issue' && state.issued >= command.limit) throw new SoldOut();
    return [{ type: 'ticket.issued.v1', data: { number: state.issued + 1, by: command.by } }];
  },
};

describe('CommandHandler', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const fixedNow = new Date('2026-01-02T03:04:05.000Z');

  beforeAll(async () => {
    ({ pool, store } = await eventStoreForTest('command_handler', { max: 20 }));
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('appends what the decider decided, with the context in the metadata and the clock as occurredAt', async () => {
    const handler = new CommandHandler(store, { clock: () => fixedNow });
    const context = requestContext('req-1', { userId: 'user-7' });
    const result = await handler.handle(tickets, 'ticket-a', { type: 'issue', by: 'ann', limit: 5 }, context);

    expect(result.revision).toBe(0);
    expect(result.state).toEqual({ issued: 1, holders: ['ann'] });
    const [stored] = await store.readStream('ticket-a');
    expect(stored!.data).toEqual({ number: 1, by: 'ann' });
    expect(stored!.metadata).toEqual({
      messageId: result.events[0]!.metadata.messageId,
      correlationId: 'req-1',
      causationId: 'req-1',
      userId: 'user-7',
      occurredAt: '2026-01-02T03:04:05.000Z',
      schemaVersion: 1,
    });
  });

  it('keeps the correlation and makes the handled message the cause', async () => {
    const handler = new CommandHandler(store);
    const first = await handler.handle(tickets, 'ticket-b', { type: 'issue', by: 'ann', limit: 5 }, requestContext('req-2'));
    await handler.handle(tickets, 'ticket-b', { type: 'issue', by: 'bob', limit: 5 }, causedBy(first.events[0]!.metadata));
    const [, second] = await store.readStream('ticket-b');
    expect(second!.metadata.correlationId).toBe('req-2');
    expect(second!.metadata.causationId).toBe(first.events[0]!.metadata.messageId);
  });

  it('loads a state from memory when it knows the stream up to the revision the caller saw, and reads it when not', async () => {
    let reads = 0;
    const counting = Object.assign(Object.create(store) as PostgresEventStore, {
      readStream: (...args: Parameters<PostgresEventStore['readStream']>) => (reads++, store.readStream(...args)),
    });
    const handler = new CommandHandler(counting);
    const issued = await handler.handle(tickets, 'ticket-load', { type: 'issue', by: 'ann', limit: 5 }, requestContext());
    const readsAfterIssue = reads;
    expect(await handler.load(tickets, 'ticket-load', issued.revision)).toEqual({ state: { issued: 1, holders: ['ann'] }, revision: 0 });
    expect(reads).toBe(readsAfterIssue);

    // Another writer appends; a caller that saw its event gets it, read from the store.
    await new CommandHandler(store).handle(tickets, 'ticket-load', { type: 'issue', by: 'bob', limit: 5 }, requestContext());
    expect(await handler.load(tickets, 'ticket-load', 1)).toEqual({ state: { issued: 2, holders: ['ann', 'bob'] }, revision: 1 });
    expect(reads).toBe(readsAfterIssue + 1);
  });

  it('appends to a stream expected to be new without reading it, and still decides on the real state of one that exists', async () => {
    let reads = 0;
    const counting = Object.assign(Object.create(store) as PostgresEventStore, {
      readStream: (...args: Parameters<PostgresEventStore['readStream']>) => (reads++, store.readStream(...args)),
    });
    const created = await new CommandHandler(counting).handle(tickets, 'ticket-new', { type: 'issue', by: 'ann', limit: 5 }, requestContext(), { expectNew: true });
    expect(created.revision).toBe(0);
    expect(reads).toBe(0);

    // A handler that does not know the stream exists: the refused append makes it read, and decide again.
    const other = new CommandHandler(store);
    expect((await other.handle(tickets, 'ticket-new', { type: 'issue-once', by: 'ann' }, requestContext(), { expectNew: true })).events).toEqual([]);
    const bob = await other.handle(tickets, 'ticket-new', { type: 'issue', by: 'bob', limit: 5 }, requestContext(), { expectNew: true });
    expect(bob.state).toEqual({ issued: 2, holders: ['ann', 'bob'] });
    expect((await store.readStream('ticket-new')).map((event) => event.data)).toEqual([
      { number: 1, by: 'ann' },
      { number: 2, by: 'bob' },
    ]);
  });

  it('appends nothing when the decider finds the command already done', async () => {
    const handler = new CommandHandler(store);
    await handler.handle(tickets, 'ticket-c', { type: 'issue-once', by: 'ann' }, requestContext());
    const again = await handler.handle(tickets, 'ticket-c', { type: 'issue-once', by: 'ann' }, requestContext());
    expect(again.events).toEqual([]);
    expect(again.revision).toBe(0);
    expect(await store.readStream('ticket-c')).toHaveLength(1);
  });

  it('lets a domain error through and writes nothing', async () => {
    const handler = new CommandHandler(store);
    await handler.handle(tickets, 'ticket-d', { type: 'issue', by: 'ann', limit: 1 }, requestContext());
    await expect(handler.handle(tickets, 'ticket-d', { type: 'issue', by: 'bob', limit: 1 }, requestContext())).rejects.toBeInstanceOf(SoldOut);
    expect(await store.readStream('ticket-d')).toHaveLength(1);
  });

  it('decides again on fresh state when a concurrent writer won, so no decision is lost or doubled', async () => {
    // Three handlers, as in three processes: within one, commands on a stream take turns.
    const handlers = Array.from({ length: 3 }, () => new CommandHandler(store, { maxAttempts: 50 }));
    const buyers = Array.from({ length: 12 }, (_, i) => `buyer-${i}`);
    const outcomes = await Promise.allSettled(
      buyers.map((by, i) => handlers[i % handlers.length]!.handle(tickets, 'ticket-e', { type: 'issue', by, limit: 8 }, requestContext())),
    );

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(8);
    const refusals = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refusals.every((o) => o.reason instanceof SoldOut)).toBe(true);
    const stored = await store.readStream<TicketEvent>('ticket-e');
    expect(stored.map((e) => e.data.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives up with WrongExpectedVersion after the last attempt', async () => {
    await new CommandHandler(store).handle(tickets, 'ticket-f', { type: 'issue', by: 'ann', limit: 99 }, requestContext());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        new CommandHandler(store, { maxAttempts: 1 }).handle(tickets, 'ticket-f', { type: 'issue', by: `b${i}`, limit: 99 }, requestContext()),
      ),
    );
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((o) => o.reason instanceof WrongExpectedVersion)).toBe(true);
    expect(await store.readStream('ticket-f')).toHaveLength(1 + outcomes.length - lost.length);
  });

  it('lets commands on one stream take turns, so that they never conflict with each other', async () => {
    const appends: string[] = [];
    const watched = Object.create(store, {
      appendToStream: { value: (name: string, ...rest: unknown[]) => (appends.push(name), (store.appendToStream as (...a: unknown[]) => unknown)(name, ...rest)) },
    }) as PostgresEventStore;
    // One attempt only: a command that lost to another would fail with WrongExpectedVersion.
    const handler = new CommandHandler(watched, { maxAttempts: 1 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => handler.handle(tickets, 'ticket-turns', { type: 'issue', by: `b${i}`, limit: 8 }, requestContext())),
    );

    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.revision : (o.reason as Error).constructor.name))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 'SoldOut', 'SoldOut', 'SoldOut', 'SoldOut',
    ]);
    expect(appends).toHaveLength(8);
  });

  describe('remembering the state of streams it wrote', () => {
    type DoorEvent = Event<'door.opened.v1' | 'door.closed.v1' | 'door.entered.v1', { by: string }>;
    class Closed extends Error {}
    const door: Decider<{ type: 'open' | 'close' | 'enter'; by: string }, DoorEvent, { open: boolean; inside: string[] }> = {
      initialState: () => ({ open: false, inside: [] }),
      evolve: (state, event) =>
        event.type === 'door.entered.v1' ? { ...state, inside: [...state.inside, event.data.by] } : { ...state, open: event.type === 'door.opened.v1' },
      decide: (command, state) => {
        if (command.type === 'open') return [{ type: 'door.opened.v1', data: { by: command.by } }];
        if (command.type === 'close') return [{ type: 'door.closed.v1', data: { by: command.by } }];
        if (!state.open) throw new Closed();
        return [{ type: 'door.entered.v1', data: { by: command.by } }];
      },
    };
    /** The store, counting the streams read. */
    const counting = () => {
      const reads: string[] = [];
      const wrapped = Object.create(store, { readStream: { value: (name: string, options?: object) => (reads.push(name), store.readStream(name, options)) } });
      return { store: wrapped as PostgresEventStore, reads };
    };

    it('appends to a stream it knows without reading it again', async () => {
      const { store: watched, reads } = counting();
      const handler = new CommandHandler(watched);
      await handler.handle(tickets, 'ticket-g', { type: 'issue', by: 'ann', limit: 9 }, requestContext());
      await handler.handle(tickets, 'ticket-g', { type: 'issue', by: 'bob', limit: 9 }, requestContext());
      expect(reads).toEqual(['ticket-g']);
      expect((await store.readStream<TicketEvent>('ticket-g')).map((e) => e.data.number)).toEqual([1, 2]);
    });

    it('decides again on what another writer appended since, instead of on what it remembered', async () => {
      const mine = new CommandHandler(store);
      const theirs = new CommandHandler(store);
      await mine.handle(tickets, 'ticket-h', { type: 'issue', by: 'ann', limit: 9 }, requestContext());
      await theirs.handle(tickets, 'ticket-h', { type: 'issue', by: 'bob', limit: 9 }, requestContext());
      const result = await mine.handle(tickets, 'ticket-h', { type: 'issue', by: 'cid', limit: 9 }, requestContext());
      expect(result.state).toEqual({ issued: 3, holders: ['ann', 'bob', 'cid'] });
      expect((await store.readStream<TicketEvent>('ticket-h')).map((e) => e.data.number)).toEqual([1, 2, 3]);
    });

    it('refuses only after checking that what it remembered is still the whole story', async () => {
      const mine = new CommandHandler(store);
      const theirs = new CommandHandler(store);
      await mine.handle(door, 'door-a', { type: 'open', by: 'ann' }, requestContext());
      await mine.handle(door, 'door-a', { type: 'close', by: 'ann' }, requestContext());
      await expect(mine.handle(door, 'door-a', { type: 'enter', by: 'ann' }, requestContext())).rejects.toBeInstanceOf(Closed);
      await theirs.handle(door, 'door-a', { type: 'open', by: 'bob' }, requestContext());
      const entered = await mine.handle(door, 'door-a', { type: 'enter', by: 'ann' }, requestContext());
      expect(entered.state).toEqual({ open: true, inside: ['ann'] });
    });

    it('finds a command already done by another writer instead of doing it again', async () => {
      const mine = new CommandHandler(store);
      const theirs = new CommandHandler(store);
      await mine.handle(tickets, 'ticket-i', { type: 'issue-once', by: 'ann' }, requestContext());
      await theirs.handle(tickets, 'ticket-i', { type: 'issue-once', by: 'bob' }, requestContext());
      const again = await mine.handle(tickets, 'ticket-i', { type: 'issue-once', by: 'bob' }, requestContext());
      expect(again.events).toEqual([]);
      expect(await store.readStream('ticket-i')).toHaveLength(2);
    });
  });

  describe('one decision on several streams', () => {
    /** A ticket issued on each stream; refused when any is sold out. */
    const issueOnBoth = (by: string, limit: number) => (states: readonly { issued: number; holders: string[] }[]) =>
      states.map((state) => tickets.decide({ type: 'issue', by, limit }, state)) as [readonly TicketEvent[], readonly TicketEvent[]];
    const pair = (a: string, b: string) => [
      { decider: tickets, streamName: a },
      { decider: tickets, streamName: b },
    ] as const;

    it('appends to every stream in one commit', async () => {
      const [a, b] = await new CommandHandler(store).handleTogether(pair('joint-a1', 'joint-b1'), issueOnBoth('ann', 5), requestContext());
      expect([a.revision, b.revision]).toEqual([0, 0]);
      const [storedA] = await store.readStream('joint-a1');
      const [storedB] = await store.readStream('joint-b1');
      expect(storedA!.position.commit).toBe(storedB!.position.commit);
      expect([a.state.holders, b.state.holders]).toEqual([['ann'], ['ann']]);
    });

    it('writes none of the streams when one is not as expected, and decides again on all of them', async () => {
      const mine = new CommandHandler(store, { maxAttempts: 1 });
      await mine.handleTogether(pair('joint-a2', 'joint-b2'), issueOnBoth('ann', 5), requestContext());
      await new CommandHandler(store).handle(tickets, 'joint-b2', { type: 'issue', by: 'bob', limit: 5 }, requestContext());

      await expect(mine.handleTogether(pair('joint-a2', 'joint-b2'), issueOnBoth('cid', 5), requestContext())).rejects.toBeInstanceOf(WrongExpectedVersion);
      expect(await store.readStream('joint-a2')).toHaveLength(1);

      const [a, b] = await new CommandHandler(store).handleTogether(pair('joint-a2', 'joint-b2'), issueOnBoth('cid', 5), requestContext());
      expect([a.state.holders, b.state.holders]).toEqual([
        ['ann', 'cid'],
        ['ann', 'bob', 'cid'],
      ]);
    });

    it('refuses only on states read from the store, not on remembered ones', async () => {
      const mine = new CommandHandler(store);
      await mine.handleTogether(pair('joint-a3', 'joint-b3'), issueOnBoth('ann', 1), requestContext());
      await expect(mine.handleTogether(pair('joint-a3', 'joint-b3'), issueOnBoth('bob', 1), requestContext())).rejects.toBeInstanceOf(SoldOut);
      expect(await store.readStream('joint-a3')).toHaveLength(1);
    });

    it('appends stream by stream, in the order of the parts, on a store without atomic appends to several streams', async () => {
      const appends: string[] = [];
      const streamByStream = Object.create(store, {
        appendToStreams: { value: undefined },
        appendToStream: { value: (name: string, ...rest: unknown[]) => (appends.push(name), (store.appendToStream as (...a: unknown[]) => unknown)(name, ...rest)) },
      }) as PostgresEventStore;
      const [a, b] = await new CommandHandler(streamByStream).handleTogether(pair('joint-b4', 'joint-a4'), issueOnBoth('ann', 5), requestContext());
      expect(appends).toEqual(['joint-b4', 'joint-a4']);
      expect([a.revision, b.revision]).toEqual([0, 0]);
    });

    it('takes turns with the commands on each of its streams, so none of them conflicts', async () => {
      const handler = new CommandHandler(store, { maxAttempts: 1 });
      const outcomes = await Promise.allSettled([
        handler.handleTogether(pair('joint-a5', 'joint-b5'), issueOnBoth('ann', 9), requestContext()),
        handler.handle(tickets, 'joint-b5', { type: 'issue', by: 'bob', limit: 9 }, requestContext()),
        handler.handleTogether(pair('joint-b5', 'joint-a5'), issueOnBoth('cid', 9), requestContext()),
        handler.handle(tickets, 'joint-a5', { type: 'issue', by: 'dan', limit: 9 }, requestContext()),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((await store.readStream<TicketEvent>('joint-a5')).map((e) => e.data.by)).toEqual(['ann', 'cid', 'dan']);
      expect((await store.readStream<TicketEvent>('joint-b5')).map((e) => e.data.by)).toEqual(['ann', 'bob', 'cid']);
    });
  });
});

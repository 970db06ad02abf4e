import { afterEach, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../event.js';
import type { ReadAllOptions } from '../event-store.js';
import { PollingSubscription } from './polling-subscription.js';

const event = (n: number, streamName = 'test-1'): RecordedEvent => ({
  type: 'test.happened.v1',
  data: { n },
  metadata: { messageId: `m-${n}`, correlationId: 'c', causationId: 'c', occurredAt: '2026-12-05T00:00:00.000Z', schemaVersion: 1 },
  streamName,
  revision: n - 1,
  position: { commit: n, prepare: n },
  recordedAt: new Date(0),
});

/** A log in memory that counts its reads and can hold one until told to go on. */
class Log {
  readonly events: RecordedEvent[] = [];
  readonly reads: (number | undefined)[] = [];
  held: Promise<void> | undefined;
  async readAll({ after, maxCount = 1000 }: ReadAllOptions): Promise<RecordedEvent[]> {
    this.reads.push(after?.commit);
    const page = this.events.filter((e) => !after || e.position.commit > after.commit).slice(0, maxCount);
    await this.held;
    return page;
  }
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not met');
};

describe('PollingSubscription', () => {
  const subscriptions: PollingSubscription[] = [];
  afterEach(() => Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop())));
  it('after a short page reads again only when woken, and a full page at once', async () => {
    const log = new Log();
    log.events.push(event(1), event(2), event(3));
    const handled: number[] = [];
    const subscription = new PollingSubscription(log, { maxBatchSize: 2 }, async (events) => void handled.push(...events.map((e) => e.position.commit)), 60_000);
    subscriptions.push(subscription);
    await until(() => handled.length === 3);
    // A full page (1, 2), then a short one (3), then asleep: no read just in case.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.reads).toEqual([undefined, 2]);

    log.events.push(event(4));
    subscription.wake();
    await until(() => handled.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.reads).toEqual([undefined, 2, 3]);
  });

  it('reads again when woken while a read was on its way, so an event committed meanwhile is not left behind', async () => {
    const log = new Log();
    const handled: number[] = [];
    let go!: () => void;
    log.held = new Promise((resolve) => (go = resolve));
    const subscription = new PollingSubscription(log, {}, async (events) => void handled.push(...events.map((e) => e.position.commit)), 60_000);
    subscriptions.push(subscription);
    await until(() => log.reads.length === 1);
    // The first read saw an empty log; an event commits and wakes the subscription before the read answers.
    log.events.push(event(1));
    subscription.wake();
    log.held = undefined;
    go();
    await until(() => handled.length === 1);
    expect(handled).toEqual([1]);
  });

  describe('events handed off by a writer of the process', () => {
    const at = (n: number) => ({ commit: n, prepare: n });
    /** A subscription over `log` that records the positions it handled, once it has read the log's end. */
    const caughtUp = async (log: Log, options: { categories?: string[]; maxBatchSize?: number } = {}) => {
      const handled: number[] = [];
      const subscription = new PollingSubscription(log, options, async (events) => void handled.push(...events.map((e) => e.position.commit)), 60_000);
      subscriptions.push(subscription);
      await until(() => log.reads.length === 1);
      await new Promise((resolve) => setImmediate(resolve));
      return { handled, subscription };
    };

    it('takes the events that follow its position as they are, without reading the log', async () => {
      const log = new Log();
      log.events.push(event(1));
      const { handled, subscription } = await caughtUp(log);
      await until(() => handled.length === 1);
      log.events.push(event(2), event(3));
      subscription.handOff([event(2), event(3)], at(1));
      log.events.push(event(4));
      subscription.handOff([event(4)], at(3));
      await until(() => handled.length === 4);
      expect(handled).toEqual([1, 2, 3, 4]);
      expect(log.reads).toEqual([undefined]);
    });

    /** This process appends 3 after 2: taken as it is, with no read after those made so far. */
    const thenTakesThree = async (log: Log, subscription: PollingSubscription, handled: number[]) => {
      const reads = log.reads.length;
      log.events.push(event(3));
      subscription.handOff([event(3)], at(2));
      await until(() => handled.length === 3);
      expect(handled).toEqual([1, 2, 3]);
      expect(log.reads).toHaveLength(reads);
    };

    it('reads instead when something it has not seen lies between, and doubles nothing', async () => {
      const log = new Log();
      const { handled, subscription } = await caughtUp(log);
      // Another process appended 1; this one appended 2 after it.
      log.events.push(event(1), event(2));
      subscription.handOff([event(2)], at(1));
      await until(() => handled.length === 2);
      expect(log.reads).toEqual([undefined, undefined]);
      await thenTakesThree(log, subscription, handled);
    });

    it.each([
      ['takes, after a read under way, what was handed off meanwhile beyond it', false],
      ['drops what a read under way has already taken', true],
    ])('%s', async (_, readTakesIt) => {
      const log = new Log();
      const { handled, subscription } = await caughtUp(log);
      let go!: () => void;
      log.held = new Promise((resolve) => (go = resolve));
      // Another process's commit (1) wakes it; this process's append (2) is handed off while that read is held.
      log.events.push(event(1));
      if (readTakesIt) log.events.push(event(2));
      subscription.wake();
      await until(() => log.reads.length === 2);
      if (!readTakesIt) log.events.push(event(2));
      subscription.handOff([event(2)], at(1));
      log.held = undefined;
      go();
      await until(() => handled.length === 2);
      expect(log.reads).toEqual([undefined, undefined]);
      await thenTakesThree(log, subscription, handled);
    });

    it('hands only the events of its categories, and goes on from the last handed-off position', async () => {
      const log = new Log();
      const { handled, subscription } = await caughtUp(log, { categories: ['wanted'] });
      log.events.push(event(1, 'other-1'), event(2, 'wanted-1'), event(3, 'other-1'));
      subscription.handOff(log.events.slice(0, 3), at(0));
      log.events.push(event(4, 'wanted-2'));
      subscription.handOff([event(4, 'wanted-2')], at(3));
      await until(() => handled.length === 2);
      expect(handled).toEqual([2, 4]);
      expect(log.reads).toEqual([undefined]);
    });

    it('reads a page instead of holding more than a page of hand-offs', async () => {
      const log = new Log();
      log.events.push(event(1));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const handled: number[] = [];
      const subscription = new PollingSubscription(
        log,
        { maxBatchSize: 2 },
        async (events) => {
          handled.push(...events.map((e) => e.position.commit));
          if (handled.length === 1) await held;
        },
        60_000,
      );
      subscriptions.push(subscription);
      await until(() => handled.length === 1);
      // While the handler is busy, three events are handed off one by one: more than a page.
      for (const n of [2, 3, 4]) {
        log.events.push(event(n));
        subscription.handOff([event(n)], at(n - 1));
      }
      release();
      await until(() => handled.length === 4);
      expect(handled).toEqual([1, 2, 3, 4]);
      expect(log.reads).toEqual([undefined, 1, 3]);
    });
  });
});

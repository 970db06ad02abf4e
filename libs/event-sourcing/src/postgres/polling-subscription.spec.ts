import { afterEach, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../event.js';
import type { ReadAllOptions } from '../event-store.js';
import { PollingSubscription } from './polling-subscription.js';

const event = (n: number): RecordedEvent => ({
  type: 'test.happened.v1',
  data: { n },
  metadata: { messageId: `m-${n}`, correlationId: 'c', causationId: 'c', occurredAt: '2026-12-05T00:00:00.000Z', schemaVersion: 1 },
  streamName: 'test-1',
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
});

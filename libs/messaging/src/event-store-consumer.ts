import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  comparePositions,
  EventStoreUnavailable,
  isConnectionFailure,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  type Subscription,
} from '@agora/event-sourcing';
import { BATCH_SIZE_BUCKETS, Deposed, LATENCY_BUCKETS, timed } from '@agora/platform';
import type { CheckpointStore } from './checkpoint-store.js';
import type { ParkedEvents } from './parked-events.js';
import { WatermarkCheckpoint } from './watermark-checkpoint.js';

/**
 * What a subscriber does with a batch. `through` is the position the batch covers: where
 * the checkpoint goes once the batch is applied, even when some of its events were parked
 * and are not in `events` (which may then be empty). It is `undefined` for a retry of
 * parked events, which lie behind the checkpoint: apply them, move nothing.
 */
export type ConsumeBatch = (events: readonly RecordedEvent[], through: GlobalPosition | undefined) => Promise<void>;

/** Where a consumer reads the log: an `EventStore`, normally the host's shared one (`FanOutEventStore`). */
export type LogSource = Pick<EventStore, 'subscribe' | 'readAll'>;

export interface EventStoreConsumerOptions {
  /** Names the consumer, its checkpoint and its parked events. */
  readonly name: string;
  readonly categories: readonly string[];
  /** Events per batch. Default 500. */
  readonly maxBatchSize?: number;
  /** Longest pause before resubscribing after a failure. Default 5 s. */
  readonly maxBackoffMs?: number;
  readonly onError?: (error: unknown, consumer: string) => void;
  /**
   * `false` when the handler saves the checkpoint itself, in the transaction of its own
   * writes (a projection): it must then move it to `through`. Default true.
   */
  readonly savesCheckpoint?: boolean;
  /**
   * Pipelining: the next batch is handed over while earlier ones are still at work, up to
   * this many events, and the checkpoint is the low watermark of finished batches. `handle`
   * must then queue its work in call order before its first await (so that the order per
   * key holds across batches). Default 0: one batch at a time.
   */
  readonly maxEventsAtWork?: number;
  /**
   * Where events that keep failing are set aside. Without it a failing event is tried
   * again until it succeeds, and holds up everything behind it.
   */
  readonly parked?: ParkedEvents;
  /** Tries of a failing event before it is parked. Default 5. */
  readonly maxAttempts?: number;
  /** First pause between tries of a failing batch, doubled each time. Default 50 ms. */
  readonly retryBackoffMs?: number;
  /** How often, while it has parked events, the consumer looks for a request to retry them. Default 1 s. */
  readonly retryPollMs?: number;
}

/**
 * The failure is not the event's fault (the database or the broker is away, the
 * checkpoint moved under us, or the work was taken over: `Deposed`): the consumer resubscribes from its checkpoint and tries
 * again, however often, and never parks an event for it.
 */
export class SubscriptionInterrupted extends Error {
  override readonly name: string = 'SubscriptionInterrupted';
}

/** Whether a failure says nothing about the event being handled. */
export function isTransient(error: unknown): boolean {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof SubscriptionInterrupted || cause instanceof Deposed || cause instanceof EventStoreUnavailable || isConnectionFailure(cause)) return true;
  }
  return false;
}

/**
 * The one way a process follows the log: reads categories of the event store from a saved
 * checkpoint and hands each batch to `handle`; the checkpoint moves only after `handle`
 * succeeded, so delivery is at least once and in order, and `handle` must be idempotent.
 *
 * A transient failure (store, database or broker away) ends the subscription, which
 * resumes from the checkpoint after a backoff. Any other failure is the batch's: it is
 * tried again a few times, then event by event, and an event that still fails is parked
 * (`ParkedEvents`) with its error, and so is every later event of its stream (a stream's
 * events are never applied out of order); other streams go on. Parked events are tried
 * again, in log order, once an operator asks for it (`requestRetry`).
 */
export class EventStoreConsumer {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Streams with a parked event: their later events are parked behind it. */
  private blocked = new Set<string>();
  /** Pipelined consumers fall back to one event at a time up to here, to find the event that fails. */
  private isolateThrough: GlobalPosition | undefined;
  private failedThrough: GlobalPosition | undefined;
  /** Where the last failed run had resumed from, and how many runs in a row failed from there. */
  private stuck: { at: GlobalPosition | undefined; runs: number } | undefined;
  private stopping = new AbortController();
  /** Serialises taking in a batch with retrying parked events. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly maxAttempts: number;
  private readonly handle: ConsumeBatch;

  constructor(
    private readonly store: LogSource,
    private readonly checkpoints: CheckpointStore,
    private readonly options: EventStoreConsumerOptions,
    handle: ConsumeBatch,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.handle = measuredBatches(options.name, handle);
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    if (this.running) return;
    liveConsumers.add(this);
    this.stopped = false;
    this.stopping = new AbortController();
    this.running = Promise.all([this.run(), this.watchRetryRequests()]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.subscription?.stop();
    await this.running;
    this.running = undefined;
    liveConsumers.delete(this);
  }

  /** How far behind the head of its categories the consumer's checkpoint is (`logLag`). */
  async lag(countLimit: number): Promise<LogLag> {
    return logLag(this.store, this.options.categories, await this.checkpoints.load(this.name), countLimit);
  }

  /** Its parked events, or undefined when it parks none. */
  async parkedCount(): Promise<number | undefined> {
    if (!this.options.parked) return undefined;
    return (await this.options.parked.counts()).get(this.name) ?? 0;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      let after: GlobalPosition | undefined;
      try {
        await this.loadParked();
        after = await this.checkpoints.load(this.name);
        if (this.stopped) return;
        const isolating = this.isolateThrough !== undefined && (!after || comparePositions(after, this.isolateThrough) < 0);
        if (!isolating) this.isolateThrough = undefined;
        const pipeline = this.options.maxEventsAtWork && !isolating ? this.pipelined(after, this.options.maxEventsAtWork) : this.oneAtATime();
        this.subscription = this.store.subscribe(
          { ...(after && { after }), categories: this.options.categories, maxBatchSize: isolating ? 1 : (this.options.maxBatchSize ?? 500) },
          async (events) => {
            await pipeline.batch(events);
            failures = 0;
            // Past the event that failed: back to reading ahead.
            if (isolating && comparePositions(events[events.length - 1]!.position, this.isolateThrough!) >= 0) void this.subscription?.stop();
          },
        );
        try {
          await this.subscription.closed;
        } finally {
          await pipeline.drain();
        }
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error, this.name);
        failures++;
        if (this.options.parked && !isTransient(error) && this.failedThrough) {
          // A pipelined batch that keeps failing from the same checkpoint: take its events one at a time to find the culprit.
          const again = this.stuck && (this.stuck.at && after ? comparePositions(this.stuck.at, after) === 0 : this.stuck.at === after);
          this.stuck = { at: after, runs: again ? this.stuck!.runs + 1 : 1 };
          if (this.stuck.runs >= this.maxAttempts) {
            this.isolateThrough = this.failedThrough;
            this.stuck = undefined;
          }
        }
        this.failedThrough = undefined;
        await sleep(Math.min(50 * 2 ** failures, this.options.maxBackoffMs ?? 5000), undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  private oneAtATime(): BatchPipeline {
    return {
      batch: (events) =>
        this.serially(async () => {
          const through = events[events.length - 1]!.position;
          await this.applyOrPark(await this.setAsideBehind(events), through);
          if (this.options.savesCheckpoint !== false) await this.checkpoints.save(this.name, through);
        }),
      drain: async () => undefined,
    };
  }

  /** Batches overlap; the first failure ends the subscription, which resumes from the watermark. */
  private pipelined(after: GlobalPosition | undefined, maxEventsAtWork: number): BatchPipeline {
    const progress = new WatermarkCheckpoint(this.checkpoints, this.name, after, (error) => this.options.onError?.(error, this.name));
    const atWork = new Set<Promise<void>>();
    let failure: { readonly error: unknown } | undefined;
    const throwIfFailed = (): void => {
      if (failure) throw failure.error;
    };
    return {
      batch: async (events) => {
        throwIfFailed();
        await progress.below(maxEventsAtWork);
        throwIfFailed();
        const through = events[events.length - 1]!.position;
        await this.serially(async () => {
          const live = await this.setAsideBehind(events);
          const ticket = progress.begin(through, Math.max(live.length, 1));
          const work = this.handle(live, through).then(
            () => {
              progress.finish(ticket);
              void progress.save();
            },
            (error: unknown) => {
              failure ??= { error };
              this.failedThrough ??= through;
              progress.abandon();
              void this.subscription?.stop();
            },
          );
          atWork.add(work);
          void work.finally(() => atWork.delete(work));
        });
      },
      drain: async () => {
        await Promise.all(atWork);
        await progress.flush();
        throwIfFailed();
      },
    };
  }

  /** Tries the events a few times; then one by one, parking each that still fails. */
  private async applyOrPark(events: readonly RecordedEvent[], through: GlobalPosition): Promise<void> {
    const error = await this.tryApply(events, through);
    if (error === undefined) return;
    if (events.length > 1) {
      for (const event of events) {
        if (this.blocked.has(event.streamName)) await this.parkBehind(event);
        await this.applyOrPark(this.blocked.has(event.streamName) ? [] : [event], event.position);
      }
      // Whatever was parked, the batch is covered up to its end.
      await this.applyOrPark([], through);
      return;
    }
    const [poison] = events;
    if (!poison) throw error; // nothing but the checkpoint failed: not an event's fault
    await this.options.parked!.park(this.name, poison, describe(error), this.maxAttempts);
    parkedTotal.inc({ subscriber: this.name });
    this.blocked.add(poison.streamName);
    await this.applyOrPark([], through);
  }

  /** Answers the last error when every try failed; throws what is transient, or everything when nothing parks. */
  private async tryApply(events: readonly RecordedEvent[], through: GlobalPosition): Promise<unknown> {
    let failure: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await this.handle(events, through);
        return undefined;
      } catch (error) {
        if (!this.options.parked || isTransient(error)) throw error;
        this.options.onError?.(error, this.name);
        failure = error ?? new Error('failed');
        if (attempt < this.maxAttempts) await sleep((this.options.retryBackoffMs ?? 50) * 2 ** (attempt - 1));
      }
    }
    return failure;
  }

  /** Parks the events of streams that already have a parked event, and answers the others. */
  private async setAsideBehind(events: readonly RecordedEvent[]): Promise<readonly RecordedEvent[]> {
    if (this.blocked.size === 0) return events;
    const live: RecordedEvent[] = [];
    for (const event of events) {
      if (this.blocked.has(event.streamName)) await this.parkBehind(event);
      else live.push(event);
    }
    return live;
  }

  private async parkBehind(event: RecordedEvent): Promise<void> {
    await this.options.parked!.park(this.name, event, `behind an earlier parked event of ${event.streamName}`, 0);
    parkedTotal.inc({ subscriber: this.name });
  }

  /** At every (re)subscription: another instance, or a rebuild, may have parked or cleared events meanwhile. */
  private async loadParked(): Promise<void> {
    if (!this.options.parked) return;
    this.blocked = new Set((await this.options.parked.list(this.name)).map((parked) => parked.streamName));
  }

  /** While the consumer has parked events, looks for a request to retry them. */
  private async watchRetryRequests(): Promise<void> {
    const pollMs = this.options.retryPollMs ?? 1000;
    while (!this.stopped) {
      if (this.blocked.size > 0) await this.serially(() => this.retryRequested()).catch((error: unknown) => this.options.onError?.(error, this.name));
      await sleep(pollMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  /**
   * Tries again, in log order, every parked event of the streams an operator asked for;
   * new events wait meanwhile, so a stream whose parked events all apply is freed with
   * nothing left behind. The first that fails again keeps the rest of its stream parked.
   */
  private async retryRequested(): Promise<void> {
    const parked = this.options.parked!;
    const shelf = await parked.list(this.name);
    const asked = new Set(shelf.filter((event) => event.retryRequestedAt).map((event) => event.streamName));
    if (asked.size === 0) return;
    const failed = new Set<string>();
    for (const event of shelf) {
      if (this.stopped) return;
      if (!asked.has(event.streamName) || failed.has(event.streamName)) continue;
      try {
        await this.handle([event.event], undefined);
        await parked.unpark(this.name, event.position);
      } catch (error) {
        if (isTransient(error)) throw error;
        failed.add(event.streamName);
        await parked.retried(this.name, event.position, describe(error));
      }
    }
    this.blocked = new Set((await parked.list(this.name)).map((event) => event.streamName));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.exclusive.then(work);
    this.exclusive = result.catch(() => undefined);
    return result;
  }
}

interface BatchPipeline {
  batch(events: readonly RecordedEvent[]): Promise<void>;
  /** Waits for the work still in progress once the subscription has closed. */
  drain(): Promise<void>;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Events of some categories after a checkpoint: how many (up to a limit) and the age of the oldest. */
export interface LogLag {
  readonly events: number;
  readonly ms: number;
}

export async function logLag(store: Pick<EventStore, 'readAll'>, categories: readonly string[], checkpoint: GlobalPosition | undefined, countLimit: number): Promise<LogLag> {
  const behind = await store.readAll({ ...(checkpoint && { after: checkpoint }), categories, maxCount: countLimit });
  const oldest = behind[0];
  return { events: behind.length, ms: oldest ? Math.max(0, Date.now() - oldest.recordedAt.getTime()) : 0 };
}

/** The consumers running in this process, which the metrics below are read from when Prometheus scrapes. */
const liveConsumers = new Set<EventStoreConsumer>();

/** Events counted behind a checkpoint, at the most, per scrape (as `/health` does). */
export const LAG_COUNT_LIMIT = 1000;

const batchEvents = new Histogram({
  name: 'agora_subscriber_batch_events',
  help: 'Events per batch that a subscriber of the log handled (tries again included).',
  labelNames: ['subscriber'],
  buckets: BATCH_SIZE_BUCKETS,
});
const batchDuration = new Histogram({
  name: 'agora_subscriber_batch_duration_seconds',
  help: 'How long a subscriber of the log took over a batch, by outcome (ok or failed).',
  labelNames: ['subscriber', 'outcome'],
  buckets: LATENCY_BUCKETS,
});
const parkedTotal = new Counter({
  name: 'agora_subscriber_parked_events_total',
  help: 'Events a subscriber of the log set aside: they kept failing, or an earlier event of their stream did.',
  labelNames: ['subscriber'],
});

interface ConsumerReading {
  readonly lag: LogLag;
  readonly parked: number | undefined;
}

/**
 * One reading of every running consumer's lag and parked events per scrape, shared by the
 * gauges below. A consumer whose reading fails (its database away) has no series in that
 * scrape; the rest of the scrape is answered.
 */
let reading: { readonly at: number; readonly values: Promise<Map<string, ConsumerReading>> } | undefined;
function readConsumers(): Promise<Map<string, ConsumerReading>> {
  if (!reading || performance.now() - reading.at > 1000) {
    const values = Promise.all(
      [...liveConsumers].map(async (consumer) => {
        try {
          return [[consumer.name, { lag: await consumer.lag(LAG_COUNT_LIMIT), parked: await consumer.parkedCount() }] as const];
        } catch {
          return [];
        }
      }),
    ).then((entries) => new Map(entries.flat()));
    reading = { at: performance.now(), values };
  }
  return reading.values;
}

const lagEvents: Gauge = new Gauge({
  name: 'agora_subscriber_lag_events',
  help: `Events of its categories after a subscriber's checkpoint, counted up to ${LAG_COUNT_LIMIT}.`,
  labelNames: ['subscriber'],
  async collect() {
    lagEvents.reset();
    for (const [subscriber, { lag }] of await readConsumers()) lagEvents.set({ subscriber }, lag.events);
  },
});
const lagSeconds: Gauge = new Gauge({
  name: 'agora_subscriber_lag_seconds',
  help: "Age of the oldest event of its categories after a subscriber's checkpoint (0 when it is caught up).",
  labelNames: ['subscriber'],
  async collect() {
    lagSeconds.reset();
    for (const [subscriber, { lag }] of await readConsumers()) lagSeconds.set({ subscriber }, lag.ms / 1000);
  },
});
const parkedNow: Gauge = new Gauge({
  name: 'agora_subscriber_parked_events',
  help: 'Events a subscriber of the log has parked now, waiting for an operator to retry them.',
  labelNames: ['subscriber'],
  async collect() {
    parkedNow.reset();
    for (const [subscriber, { parked }] of await readConsumers()) if (parked !== undefined) parkedNow.set({ subscriber }, parked);
  },
});

function measuredBatches(subscriber: string, handle: ConsumeBatch): ConsumeBatch {
  return (events, through) => {
    if (events.length === 0) return handle(events, through);
    batchEvents.observe({ subscriber }, events.length);
    return timed(batchDuration, { subscriber }, () => handle(events, through), { ok: 'ok', failed: 'failed' });
  };
}

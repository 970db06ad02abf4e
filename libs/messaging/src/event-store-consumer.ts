import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '@agora/event-sourcing';
import type { CheckpointStore } from './checkpoint-store.js';
import { WatermarkCheckpoint } from './watermark-checkpoint.js';

export interface EventStoreConsumerOptions {
  /** Names the consumer and its checkpoint. */
  readonly name: string;
  readonly categories: readonly string[];
  /** Events per batch. Default 500. */
  readonly maxBatchSize?: number;
  /** Longest pause before resubscribing after a failure. Default 5 s. */
  readonly maxBackoffMs?: number;
  readonly onError?: (error: unknown, consumer: string) => void;
  /**
   * `false` when the handler saves the checkpoint itself, in the transaction of its own
   * writes (a projection); then `handle` must save the last event's position. Default true.
   */
  readonly savesCheckpoint?: boolean;
  /**
   * Pipelining: the next batch is handed over while earlier ones are still at work, up to
   * this many events, and the checkpoint is the low watermark of finished batches. `handle`
   * must then queue its work in call order before its first await (so that the order per
   * key holds across batches). Default 0: one batch at a time.
   */
  readonly maxEventsAtWork?: number;
}

/**
 * Reads categories of the event store from a saved checkpoint and hands each batch to
 * `handle`; the checkpoint moves only after `handle` succeeded. On any failure it
 * resubscribes from the checkpoint after a backoff: at least once, in order. `handle`
 * must therefore be idempotent.
 */
export class EventStoreConsumer {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly options: EventStoreConsumerOptions,
    private readonly handle: (events: readonly RecordedEvent[]) => Promise<void>,
  ) {}

  get name(): string {
    return this.options.name;
  }

  start(): void {
    this.stopped = false;
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.running;
    this.running = undefined;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      try {
        const after = await this.checkpoints.load(this.name);
        if (this.stopped) return;
        const handle = this.options.maxEventsAtWork ? this.pipelined(after, this.options.maxEventsAtWork) : this.oneAtATime();
        this.subscription = this.store.subscribe(
          { ...(after && { after }), categories: this.options.categories, maxBatchSize: this.options.maxBatchSize ?? 500 },
          async (events) => {
            await handle.batch(events);
            failures = 0;
          },
        );
        try {
          await this.subscription.closed;
        } finally {
          await handle.drain();
        }
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error, this.name);
        failures++;
        await sleep(Math.min(50 * 2 ** failures, this.options.maxBackoffMs ?? 5000));
      }
    }
  }

  private oneAtATime(): BatchPipeline {
    return {
      batch: async (events) => {
        await this.handle(events);
        if (this.options.savesCheckpoint !== false) await this.checkpoints.save(this.name, events[events.length - 1]!.position);
      },
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
        const ticket = progress.begin(events[events.length - 1]!.position, events.length);
        const work = this.handle(events).then(
          () => {
            progress.finish(ticket);
            void progress.save();
          },
          (error: unknown) => {
            failure ??= { error };
            progress.abandon();
            void this.subscription?.stop();
          },
        );
        atWork.add(work);
        void work.finally(() => atWork.delete(work));
      },
      drain: async () => {
        await Promise.all(atWork);
        await progress.flush();
        throwIfFailed();
      },
    };
  }
}

interface BatchPipeline {
  batch(events: readonly RecordedEvent[]): Promise<void>;
  /** Waits for the work still in progress once the subscription has closed. */
  drain(): Promise<void>;
}

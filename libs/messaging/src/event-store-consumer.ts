import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, RecordedEvent, Subscription } from '@agora/event-sourcing';
import type { CheckpointStore } from './checkpoint-store.js';

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
        this.subscription = this.store.subscribe(
          { ...(after && { after }), categories: this.options.categories, maxBatchSize: this.options.maxBatchSize ?? 500 },
          async (events) => {
            await this.handle(events);
            if (this.options.savesCheckpoint !== false) await this.checkpoints.save(this.name, events[events.length - 1]!.position);
            failures = 0;
          },
        );
        await this.subscription.closed;
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error, this.name);
        failures++;
        await sleep(Math.min(50 * 2 ** failures, this.options.maxBackoffMs ?? 5000));
      }
    }
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStore, Subscription } from '@agora/event-sourcing';
import type { CheckpointStore } from './checkpoint-store.js';
import { messageFrom } from './message-metadata.js';
import type { OutboundMapping } from './ports.js';
import type { Transport } from './transport.js';

export interface RelayOptions {
  /** Events per batch read from the store. Default 500. */
  readonly maxBatchSize?: number;
  /** Longest pause before resubscribing after a failure. Default 5 s. */
  readonly maxBackoffMs?: number;
  readonly onError?: (error: unknown, relay: string) => void;
}

/**
 * The event store is the outbox (DESIGN.md §1): the relay reads a context's events from
 * its checkpoint, publishes what the mapping makes of them, and only then moves the
 * checkpoint. At least once, in order; nothing is lost when the transport or the
 * process fails, since it resumes from the last saved checkpoint.
 */
export class Relay {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly transport: Transport,
    private readonly mapping: OutboundMapping,
    private readonly options: RelayOptions = {},
  ) {}

  get name(): string {
    return `relay.${this.mapping.name}`;
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
          { ...(after && { after }), categories: this.mapping.categories, maxBatchSize: this.options.maxBatchSize ?? 500 },
          async (events) => {
            const messages = events.flatMap((event) => this.mapping.map(event).map((outgoing, index) => messageFrom(event, outgoing, index)));
            if (messages.length > 0) await this.transport.publish(messages);
            await this.checkpoints.save(this.name, events[events.length - 1]!.position);
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

import type { EventStore } from '@agora/event-sourcing';
import type { CheckpointStore } from './checkpoint-store.js';
import { EventStoreConsumer } from './event-store-consumer.js';
import { messageFrom } from './message-metadata.js';
import type { OutboundMapping } from './ports.js';
import type { Transport } from './transport.js';

export interface RelayOptions {
  /** Events per batch read from the store. Default 500. */
  readonly maxBatchSize?: number;
  /** Events published and not yet safe, at most (the relay reads on meanwhile). Default 1000. */
  readonly maxEventsAtWork?: number;
  /** Longest pause before resubscribing after a failure. Default 5 s. */
  readonly maxBackoffMs?: number;
  readonly onError?: (error: unknown, relay: string) => void;
}

/**
 * The event store is the outbox (DESIGN.md §1): the relay reads a context's events from
 * its checkpoint, publishes what the mapping makes of them, and only then moves the
 * checkpoint. At least once, in order per key; nothing is lost when the transport or the
 * process fails, since it resumes from the last saved checkpoint. It reads on while
 * earlier messages are on their way, and its checkpoint is the low watermark of those
 * that are safe, so one slow message holds up only its own key.
 */
export class Relay {
  private readonly consumer: EventStoreConsumer;

  constructor(store: EventStore, checkpoints: CheckpointStore, transport: Transport, mapping: OutboundMapping, options: RelayOptions = {}) {
    this.consumer = new EventStoreConsumer(store, checkpoints, { maxEventsAtWork: 1000, ...options, name: `relay.${mapping.name}`, categories: mapping.categories }, async (events) => {
      const messages = events.flatMap((event) => mapping.map(event).map((outgoing, index) => messageFrom(event, outgoing, index)));
      if (messages.length > 0) await transport.publish(messages);
    });
  }

  get name(): string {
    return this.consumer.name;
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

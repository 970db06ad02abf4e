import { Counter, Histogram } from 'prom-client';
import { LATENCY_BUCKETS } from '@agora/platform';
import type { CheckpointStore } from './checkpoint-store.js';
import { EventStoreConsumer, SubscriptionInterrupted, type EventStoreConsumerOptions, type LogSource } from './event-store-consumer.js';
import { ConsumerFailed } from './in-process-transport.js';
import { messageFrom } from './message-metadata.js';
import type { OutboundMapping } from './ports.js';
import type { Transport } from './transport.js';

/** Defaults: 500 events per read, up to 1000 events published and not yet safe (the relay reads on meanwhile). */
export type RelayOptions = Omit<EventStoreConsumerOptions, 'name' | 'categories' | 'savesCheckpoint' | 'onError'> & {
  readonly onError?: (error: unknown, relay: string) => void;
};

/**
 * The event store is the outbox: the relay reads a context's events from
 * its checkpoint, publishes what the mapping makes of them, and only then moves the
 * checkpoint. At least once, in order per key; nothing is lost when the transport or the
 * process fails, since it resumes from the last saved checkpoint. It reads on while
 * earlier messages are on their way, and its checkpoint is the low watermark of those
 * that are safe, so one slow message holds up only its own key. An event whose mapping
 * throws, or whose message a consumer of this process keeps failing, is parked.
 */
export class Relay {
  private readonly consumer: EventStoreConsumer;

  constructor(store: LogSource, checkpoints: CheckpointStore, transport: Transport, mapping: OutboundMapping, options: RelayOptions = {}) {
    this.consumer = new EventStoreConsumer(store, checkpoints, { maxEventsAtWork: 1000, ...options, name: `relay.${mapping.name}`, categories: mapping.categories }, async (events) => {
      const messages = events.flatMap((event) => mapping.map(event).map((outgoing, index) => messageFrom(event, outgoing, index)));
      if (messages.length === 0) return;
      const acknowledged = publishDuration.startTimer({ relay: this.name });
      try {
        await transport.publish(messages);
        acknowledged();
        published.inc({ relay: this.name }, messages.length);
      } catch (error) {
        // A consumer in this process that cannot handle a message: the event's fault, parked
        // in the end. Anything else (the broker away) passes: publish again later.
        if (error instanceof ConsumerFailed) throw error;
        throw new SubscriptionInterrupted(`Publishing failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
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

const published = new Counter({
  name: 'agora_relay_published_messages_total',
  help: 'Integration messages a relay published and the transport acknowledged (on Kafka: every replica).',
  labelNames: ['relay'],
});
const publishDuration = new Histogram({
  name: 'agora_relay_publish_duration_seconds',
  help: "How long a relay's publish took until the transport acknowledged it (on Kafka: the broker's answer).",
  labelNames: ['relay'],
  buckets: LATENCY_BUCKETS,
});

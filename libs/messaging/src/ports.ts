import type { Message, MessageType } from '@agora/contracts';
import type { RecordedEvent } from '@agora/event-sourcing';

/** A message as a context's mapping produces it; the relay adds the metadata. */
export type OutgoingMessage = Message extends infer M ? (M extends Message ? Omit<M, 'metadata'> : never) : never;

/**
 * How a context publishes: the relay reads the context's categories from the event store
 * (the store is the outbox) and publishes what `map` returns for each event, in order.
 * Domain events stay private: `map` returns `[]` for those nobody else needs.
 */
export interface OutboundMapping {
  /** Names the relay and its checkpoint, e.g. `inventory`. */
  readonly name: string;
  readonly categories: readonly string[];
  map(event: RecordedEvent): readonly OutgoingMessage[];
}

/**
 * How a context consumes: the transport delivers every message of these types, at least
 * once, in order per key. `handle` must be idempotent (a natural key or an inbox) and
 * throw only for failures worth retrying; after bounded retries the message is set
 * aside as a dead letter, visible to operators, and the next one is delivered.
 */
export interface MessageHandler {
  /** Names the consumer (its group on Kafka), e.g. `inventory.commands`. */
  readonly name: string;
  readonly types: readonly MessageType[];
  handle(message: Message): Promise<void>;
}

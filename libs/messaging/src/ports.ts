import type { RecordedEvent } from '@agora/event-sourcing';
import { inSpan, SpanKind } from '@agora/platform';
import type { IntegrationMessage, MessageBody } from './message-contracts.js';

/**
 * How a context publishes: the relay reads the context's categories from the event store
 * (the store is the outbox) and publishes what `map` returns for each event, in order,
 * with the event's metadata. Domain events stay private: `map` returns `[]` for those
 * nobody else needs. `M`: the union of the messages it may return.
 */
export interface OutboundMapping<M extends MessageBody = MessageBody> {
  /** Names the relay and its checkpoint, e.g. `inventory`. */
  readonly name: string;
  readonly categories: readonly string[];
  map(event: RecordedEvent): readonly M[];
}

/**
 * How a context consumes: the transport delivers every message of these types, at least
 * once, in order per key, each checked against its contract. `handle` must be idempotent
 * (a natural key or an inbox) and throw only for failures worth retrying; after bounded
 * retries the message is set aside as a dead letter, visible to operators, and the next
 * one is delivered. `M`: the union of the messages it takes.
 */
export interface MessageHandler<M extends MessageBody = MessageBody> {
  /** Names the consumer (its group on Kafka), e.g. `inventory.commands`. */
  readonly name: string;
  readonly types: readonly M['type'][];
  handle(message: IntegrationMessage<M>): Promise<void>;
}

/** Where a message came from, for the span of its handling: `kafka` and its topic, or this process. */
export interface MessageSource {
  readonly system: string;
  readonly destination?: string;
}

/**
 * Hands `message` to `handler` in a consumer span that continues the trace the message
 * carries (its metadata's `traceparent`): what the handler writes carries the span on
 * (`causedBy`), so one checkout is one trace across the contexts.
 */
export function handleInSpan(handler: MessageHandler, message: IntegrationMessage, source: MessageSource): Promise<void> {
  return inSpan(
    `process ${message.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent: message.metadata.traceparent,
      attributes: {
        'messaging.system': source.system,
        'messaging.operation.type': 'process',
        ...(source.destination !== undefined && { 'messaging.destination.name': source.destination }),
        'messaging.consumer.group.name': handler.name,
        'messaging.message.id': message.metadata.messageId,
        'messaging.message.conversation_id': message.metadata.correlationId,
      },
    },
    () => handler.handle(message),
  );
}

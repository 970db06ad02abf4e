import { createHash } from 'node:crypto';
import { schemaVersionOf, type RecordedEvent } from '@agora/event-sourcing';
import type { IntegrationMessage, MessageBody } from './message-contracts.js';

/**
 * The id of the n-th message published for an event: a name-based (version 5 style)
 * UUID of the event's id and n, so that publishing the same event again after a crash
 * gives the same id and consumers can recognise the duplicate.
 */
export function derivedMessageId(eventId: string, index: number): string {
  const hash = createHash('sha1').update(`${eventId}/${index}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Gives a mapped message the metadata of the event it comes from: same story, caused by that event. */
export function messageFrom(event: RecordedEvent, outgoing: MessageBody, index: number): IntegrationMessage {
  const { userId, traceparent } = event.metadata;
  return {
    ...outgoing,
    metadata: {
      messageId: derivedMessageId(event.metadata.messageId, index),
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.messageId,
      occurredAt: event.metadata.occurredAt,
      schemaVersion: schemaVersionOf(outgoing.type),
      ...(userId !== undefined && { userId }),
      ...(traceparent !== undefined && { traceparent }),
    },
  };
}

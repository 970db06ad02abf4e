import { randomUUID } from 'node:crypto';
import { schemaVersionOf, type Event, type EventMetadata, type NewEvent } from './event.js';

/**
 * Who and what is acting: carried from the request or message being handled into the
 * metadata of everything it produces, so one order's whole story can be followed.
 */
export interface MessageContext {
  readonly correlationId: string;
  readonly causationId: string;
  readonly userId?: string;
  readonly traceparent?: string;
}

/** The context of a new request: it correlates and causes itself. */
export function requestContext(requestId: string = randomUUID(), extra: Pick<MessageContext, 'userId' | 'traceparent'> = {}): MessageContext {
  return { correlationId: requestId, causationId: requestId, ...extra };
}

/** The context for handling a received message: same story, caused by that message. */
export function causedBy(metadata: EventMetadata): MessageContext {
  return {
    correlationId: metadata.correlationId,
    causationId: metadata.messageId,
    ...(metadata.userId !== undefined && { userId: metadata.userId }),
    ...(metadata.traceparent !== undefined && { traceparent: metadata.traceparent }),
  };
}

/**
 * A decided event whose message id the decision chose, because something decided with it
 * names that id (a saga recording that it has handled an event it decided for its own
 * aggregate). Other events get a fresh id.
 */
export type IdentifiedEvent<E extends Event = Event> = E & { readonly messageId: string };

/** Gives a decided event its envelope: its message id (a fresh one unless it names one) and the context's ids. */
export function withMetadata<E extends Event>(event: E | IdentifiedEvent<E>, context: MessageContext, occurredAt: Date): NewEvent<E> {
  const { messageId = randomUUID(), ...body } = event as Partial<IdentifiedEvent<E>> & E;
  const metadata: EventMetadata = {
    messageId,
    correlationId: context.correlationId,
    causationId: context.causationId,
    occurredAt: occurredAt.toISOString(),
    schemaVersion: schemaVersionOf(event.type),
    ...(context.userId !== undefined && { userId: context.userId }),
    ...(context.traceparent !== undefined && { traceparent: context.traceparent }),
  };
  return { ...(body as unknown as E), metadata };
}

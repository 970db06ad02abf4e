import { randomUUID } from 'node:crypto';
import { activeTraceparent } from '@agora/platform';
import { schemaVersionOf, type Event, type EventMetadata, type NewEvent } from './event.js';

/**
 * Who and what is acting: carried from the request or message being handled into the
 * metadata of everything it produces, so one order's whole story can be followed.
 */
export interface MessageContext {
  readonly correlationId: string;
  readonly causationId: string;
  readonly userId?: string;
  /** The W3C trace context of the work that writes: its handlers continue the trace. */
  readonly traceparent?: string;
}

/**
 * The context of a new request: it correlates and causes itself, and belongs to the
 * trace of the span at work (the request's, when tracing is on).
 */
export function requestContext(requestId: string = randomUUID(), extra: Pick<MessageContext, 'userId' | 'traceparent'> = {}): MessageContext {
  const traceparent = extra.traceparent ?? activeTraceparent();
  return { correlationId: requestId, causationId: requestId, ...extra, ...(traceparent !== undefined && { traceparent }) };
}

/**
 * The context for handling a received message: same story, caused by that message, in
 * its trace (under the span at work handling it, when there is one).
 */
export function causedBy(metadata: EventMetadata): MessageContext {
  const traceparent = activeTraceparent() ?? metadata.traceparent;
  return {
    correlationId: metadata.correlationId,
    causationId: metadata.messageId,
    ...(metadata.userId !== undefined && { userId: metadata.userId }),
    ...(traceparent !== undefined && { traceparent }),
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

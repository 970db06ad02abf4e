/**
 * An event as the domain sees it: a stable, versioned type name (`order.placed.v1`, never
 * a class name) and a JSON payload. Domain unions are built from this:
 * `type OrderEvent = Event<'order.placed.v1', {...}> | Event<'order.confirmed.v1', {...}>`.
 */
export type Event<Type extends string = string, Data = Record<string, unknown>> = Readonly<{
  type: Type;
  data: Data;
}>;

/** What travels with every message: in the store, in Kafka headers, in logs. */
export interface EventMetadata {
  /** Unique per message; the event id in the store and the key of every inbox. */
  readonly messageId: string;
  /** The request that started the whole story. */
  readonly correlationId: string;
  /** The message (or request) that directly caused this one. */
  readonly causationId: string;
  /** ISO-8601 instant at which the event happened, as the decider's clock saw it. */
  readonly occurredAt: string;
  /** Version of the payload schema; the `.vN` suffix of the type name. */
  readonly schemaVersion: number;
  /** The acting user, where there is one. */
  readonly userId?: string;
  /** W3C trace context of the operation that produced the event. */
  readonly traceparent?: string;
}

/** An event on its way into the store. */
export type NewEvent<E extends Event = Event> = E & { readonly metadata: EventMetadata };

/**
 * A position in the global log. Both adapters order the log by (`commit`, `prepare`):
 * EventStoreDB's commit and prepare positions; in PostgreSQL the appending transaction's
 * id and the row's sequence number (see docs/adr/0002).
 */
export interface GlobalPosition {
  readonly commit: number;
  readonly prepare: number;
}

/** An event as read back from the store. */
export type RecordedEvent<E extends Event = Event> = NewEvent<E> & {
  readonly streamName: string;
  /** Zero-based position of the event in its stream. */
  readonly revision: number;
  readonly position: GlobalPosition;
  readonly recordedAt: Date;
};

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  return a.commit - b.commit || a.prepare - b.prepare;
}

/** `order.placed.v2` → 2; a type without a version suffix is version 1. */
export function schemaVersionOf(type: string): number {
  const match = /\.v(\d+)$/.exec(type);
  return match ? Number(match[1]) : 1;
}

import type { Event, GlobalPosition, NewEvent, RecordedEvent } from './event.js';

/**
 * What the writer expects of the stream, checked atomically with the append:
 * a revision number (the revision of the stream's last event), `'no-stream'`,
 * `'stream-exists'`, or `'any'` (no check).
 */
export type ExpectedRevision = number | 'no-stream' | 'stream-exists' | 'any';

export interface AppendResult {
  /** Revision of the stream's last event after the append: pass it as the next expected revision. */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event. */
  readonly position: GlobalPosition;
}

/** One stream's part of an atomic append to several streams. */
export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the first event (forwards) or the last (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: the position of the last event already seen. Omit to start at the beginning. */
  readonly after?: GlobalPosition;
  /** Only events of streams in these categories. */
  readonly categories?: readonly string[];
  readonly maxCount?: number;
}

export interface ReadCorrelationOptions {
  /** Most events read; the first ones of the story in log order. */
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint; omit to start at the beginning of the log. */
  readonly after?: GlobalPosition;
  readonly categories?: readonly string[];
  /** Most events handed to the handler at once (catch-up is delivered in batches). */
  readonly maxBatchSize?: number;
}

/** Receives events in global order; the next batch comes only after the returned promise settles. */
export type BatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

export interface Subscription {
  /** Stops delivery; resolves once the handler is no longer running. */
  stop(): Promise<void>;
  /**
   * Settles when the subscription ends: resolves after `stop()`, rejects with the error
   * that ended it (a handler failure, or `EventStoreUnavailable`). Its owner resumes
   * from its own checkpoint.
   */
  readonly closed: Promise<void>;
}

/**
 * The port every write model and every subscriber depends on. Implemented by
 * `PostgresEventStore` and `EventStoreDbEventStore`, both checked by one contract suite.
 */
export interface EventStore {
  /**
   * Appends atomically: all events or none. Throws `WrongExpectedVersion` when the stream
   * is not as expected, `EventStoreUnavailable` when the store cannot be reached.
   */
  appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /**
   * Appends to several streams in one commit, all or none, each checked against its own
   * expected revision: a batch of decisions for many aggregates costs one commit. Throws
   * `WrongExpectedVersion` for the first stream that is not as expected, and then nothing
   * is written. Absent where the store cannot do it atomically (EventStoreDB through
   * `@eventstore/db-client` 6): callers append stream by stream there.
   */
  appendToStreams?(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /** Events of one stream; an empty list when the stream does not exist. */
  readStream<E extends Event = Event>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]>;

  /** One page of the global log, in order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Every event whose metadata carries this correlation id, whatever its stream, in log
   * order: one story (a request and all it caused) across the store. PostgreSQL reads it
   * through an index; EventStoreDB through its `$bc-<id>` streams, which its system
   * projection `$by_correlation_id` writes a moment after the events (docs/adr/0032).
   */
  readByCorrelation(correlationId: string, options?: ReadCorrelationOptions): Promise<RecordedEvent[]>;

  /** Position of the newest event a subscriber can see, or `undefined` for an empty log. */
  headPosition(): Promise<GlobalPosition | undefined>;

  /**
   * Delivers every event after the checkpoint, in global order and exactly once per
   * subscription: first what is stored (catch-up), then new events as they are appended.
   */
  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription;

  /** Releases connections. */
  close(): Promise<void>;
}

/** Nest injection token for the `EventStore` port. */
export const EVENT_STORE = Symbol('EventStore');

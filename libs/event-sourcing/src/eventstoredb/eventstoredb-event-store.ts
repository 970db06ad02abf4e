import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position,
} from '@eventstore/db-client';
import { EventStoreUnavailable, WrongExpectedVersion } from '../errors.js';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { comparePositions, type Event, type EventMetadata, type GlobalPosition, type NewEvent, type RecordedEvent } from '../event.js';
import { categoryOf } from '../stream-name.js';

const DEFAULT_READ_ALL_COUNT = 1000;
const DEFAULT_MAX_BATCH_SIZE = 500;
/** Events per backwards page when looking for the newest non-system event. */
const HEAD_PAGE_SIZE = 100;

/** gRPC status codes that mean "the server could not be reached or did not answer". */
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

/** What the client hands back for a stored event, from a stream read or from `$all`. */
interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position;
}

/** The `EventStore` port on EventStoreDB (KurrentDB) through its gRPC client. */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly client: EventStoreDBClient) {}

  /** `connectionString` as EventStoreDB documents it, e.g. `esdb://127.0.0.1:2113?tls=false`. */
  static connect(connectionString: string): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const data = events.map((event) => jsonEvent({ id: event.metadata.messageId, type: event.type, data: event.data, metadata: event.metadata }));
    try {
      const result = await this.client.appendToStream(streamName, data, { expectedRevision: toEsdbExpectedRevision(expected) });
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position: toGlobalPosition(required(result.position)) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedVersion(streamName, expected, toActualRevision(error.actualVersion));
      }
      throw toPortError(error);
    }
  }

  async readStream<E extends Event = Event>(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    try {
      const read = this.client.readStream(streamName, {
        direction: backwards ? BACKWARDS : FORWARDS,
        // The client starts at START in both directions unless told otherwise.
        fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
        ...(options.maxCount !== undefined && { maxCount: options.maxCount }),
      });
      const recorded: RecordedEvent<E>[] = [];
      for await (const { event } of read) if (event) recorded.push(toRecordedEvent(event) as RecordedEvent<E>);
      return recorded;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toPortError(error);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_COUNT;
    const recorded: RecordedEvent[] = [];
    if (maxCount <= 0) return recorded;
    // Pages large enough that a category filter does not cost a round trip per event.
    const pageSize = Math.min(Math.max(maxCount, 100), 1000);
    try {
      for await (const event of this.scanAll('forwards', options.after, pageSize)) {
        if (!isVisible(event, options.categories)) continue;
        recorded.push(toRecordedEvent(event));
        if (recorded.length === maxCount) break;
      }
      return recorded;
    } catch (error) {
      throw toPortError(error);
    }
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    try {
      // System events (stats, projection links) may follow the newest event of ours.
      for await (const event of this.scanAll('backwards', undefined, HEAD_PAGE_SIZE)) {
        if (isVisible(event)) return toGlobalPosition(event.position);
      }
      return undefined;
    } catch (error) {
      throw toPortError(error);
    }
  }

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const { categories } = options;
    const source = this.client.subscribeToAll({
      fromPosition: options.after ? toEsdbPosition(options.after) : START,
      filter: categories ? streamNameFilter({ prefixes: categories.map((category) => `${category}-`) }) : excludeSystemEvents(),
    });
    const subscription = deliverInBatches(source, options, handler);
    this.subscriptions.add(subscription);
    void subscription.closed.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    // Stopping first lets running handlers finish and resolves `closed` instead of failing it.
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.client.dispose();
  }

  /**
   * Events of `$all` strictly after (forwards) or before (backwards) `from`, page by page.
   * The client's `fromPosition` is inclusive, so the event at the cursor is skipped.
   */
  private async *scanAll(direction: 'forwards' | 'backwards', from: GlobalPosition | undefined, pageSize: number): AsyncGenerator<AllStreamRecordedEvent> {
    const forwards = direction === 'forwards';
    let cursor = from;
    for (;;) {
      const page: AllStreamRecordedEvent[] = [];
      const read = this.client.readAll({
        direction: forwards ? FORWARDS : BACKWARDS,
        fromPosition: cursor ? toEsdbPosition(cursor) : forwards ? START : END,
        maxCount: pageSize,
      });
      for await (const { event } of read) if (event) page.push(event);

      let advanced = false;
      for (const event of page) {
        const position = toGlobalPosition(event.position);
        if (cursor && (forwards ? comparePositions(position, cursor) <= 0 : comparePositions(position, cursor) >= 0)) continue;
        cursor = position;
        advanced = true;
        yield event;
      }
      if (page.length < pageSize || !advanced) return;
    }
  }
}

/**
 * Hands what the client subscription delivers to `handler` in batches, one call at a time.
 * While the handler runs, events queue up; the client stream is paused once a full batch
 * waits, so a slow handler holds back the server instead of filling memory.
 */
function deliverInBatches(source: ReturnType<EventStoreDBClient['subscribeToAll']>, options: SubscribeOptions, handler: BatchHandler): Subscription {
  const { categories, maxBatchSize = DEFAULT_MAX_BATCH_SIZE } = options;
  const queue: RecordedEvent[] = [];
  let last = options.after;
  let running: Promise<void> | undefined;
  let ended: Promise<void> | undefined;
  let settle!: (error?: unknown) => void;
  const closed = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  // Owners may never await `closed`; its failure must not become an unhandled rejection.
  closed.catch(() => undefined);

  const end = (error?: unknown): Promise<void> => {
    if (!ended) {
      queue.length = 0;
      source.unsubscribe().catch(() => undefined);
      // Settle only once the handler is idle, so that an owner who restarts on failure
      // never has two handlers running at once.
      ended = (running ?? Promise.resolve()).then(() => settle(error));
    }
    return ended;
  };

  const pump = (): void => {
    if (running || ended || queue.length === 0) return;
    const batch = queue.splice(0, maxBatchSize);
    running = new Promise<void>((resolve) => resolve(handler(batch))).then(
      () => {
        running = undefined;
        pump();
      },
      (error: unknown) => {
        running = undefined;
        void end(error);
      },
    );
    if (source.isPaused() && queue.length < maxBatchSize) source.resume();
  };

  source.on('data', ({ event }: AllStreamResolvedEvent) => {
    if (ended || !event || !isVisible(event, categories)) return;
    let recorded: RecordedEvent;
    try {
      recorded = toRecordedEvent(event);
    } catch (error) {
      return void end(error);
    }
    // The server starts after the checkpoint; this holds the "exactly once" promise even if
    // a server version ever included it.
    if (last && comparePositions(recorded.position, last) <= 0) return;
    last = recorded.position;
    queue.push(recorded);
    if (queue.length >= maxBatchSize) source.pause();
    pump();
  });
  source.on('error', (error: Error) => void end(toPortError(error)));
  // The client hides its own cancellation (e.g. `dispose()`), ending the stream silently.
  source.on('end', () => void end(new EventStoreUnavailable('The EventStoreDB subscription ended.')));

  return { stop: () => end(), closed };
}

function isVisible(event: StoredEvent, categories?: readonly string[]): boolean {
  if (event.type.startsWith('$')) return false;
  return !categories || categories.includes(categoryOf(event.streamId));
}

function toRecordedEvent(event: StoredEvent): RecordedEvent {
  return {
    streamName: event.streamId,
    revision: Number(event.revision),
    position: toGlobalPosition(required(event.position)),
    recordedAt: event.created,
    type: event.type,
    // We only ever write JSON objects; these are what we wrote.
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as EventMetadata,
  };
}

function required(position: Position | undefined): Position {
  // Stream reads carry the $all position from EventStoreDB 22.6 on; appends report it too.
  if (!position) throw new Error('EventStoreDB did not report a $all position: this adapter needs EventStoreDB 22.6 or later.');
  return position;
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no-stream':
      return NO_STREAM;
    case 'stream-exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`Expected revision ${expected} is not a stream revision.`);
      return BigInt(expected);
  }
}

export function toActualRevision(current: CurrentRevision): number | 'no-stream' {
  return current === NO_STREAM || current < 0n ? 'no-stream' : Number(current);
}

/** Numbers hold positions exactly up to 2^53 bytes of log (9 PB). */
export function toGlobalPosition(position: Position): GlobalPosition {
  const commit = Number(position.commit);
  const prepare = Number(position.prepare);
  // An older server answers an unknown position with 2^64-1; better to fail than to mis-order.
  if (!Number.isSafeInteger(commit) || !Number.isSafeInteger(prepare)) {
    throw new RangeError(`EventStoreDB position ${position.commit}/${position.prepare} is not a usable $all position.`);
  }
  return { commit, prepare };
}

export function toEsdbPosition(position: GlobalPosition): Position {
  return { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

/**
 * Whether the client failed because the server could not be reached or did not answer.
 * The class is not enough: some calls fail with the raw gRPC error (a plain `Error` with
 * `code: 14`), and a batch-append timeout is a `DeadlineExceededError` without a code.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError || error instanceof CancelledError) return true;
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED || code === CANCELLED) return true;
  // Cluster discovery gives up with a plain message and nothing else to go by.
  return /^Failed to discover after \d+ attempts/.test(error.message);
}

function toPortError(error: unknown): unknown {
  if (!isUnavailable(error)) return error;
  return new EventStoreUnavailable(`EventStoreDB is unavailable: ${(error as Error).message}`, { cause: error });
}

import {
  AccessDeniedError,
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  isCommandError,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  streamNameFilter,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type EventData,
  type Position,
} from '@eventstore/db-client';
import { EventStoreRefused, EventStoreUnavailable, WrongExpectedVersion } from '../errors.js';
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
import { eventJson } from '../event-json.js';
import { categoryOf } from '../stream-name.js';

const DEFAULT_READ_ALL_COUNT = 1000;
const DEFAULT_MAX_BATCH_SIZE = 500;
/** Largest backwards page when looking for the newest non-system event. */
const HEAD_PAGE_SIZE = 100;

/**
 * gRPC status codes that mean "the server could not be reached, did not answer, or the
 * connection broke under the call" (`INTERNAL` is what a reset HTTP/2 stream becomes).
 */
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;
const INTERNAL = 13;
const UNAVAILABLE = 14;
/**
 * A node that is starting, electing a leader or overloaded refuses a batch append with
 * this reason as the message and no typed detail; the client makes it an `UnknownError`.
 */
const NOT_HANDLED = /Server Is (Not Ready|Busy|Too Busy)/;
/** The client gives up on cluster discovery with this plain message and nothing else to go by. */
const DISCOVERY_FAILED = /^Failed to discover after \d+ attempts/;

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
  private client: EventStoreDBClient;
  private readonly newClient: (() => EventStoreDBClient) | undefined;

  /**
   * From a client, or from a way to make one: only then can the store replace a client
   * whose cluster discovery failed (client 6.2.1 keeps that failure for every later call;
   * docs/adr/0016).
   */
  constructor(client: EventStoreDBClient | (() => EventStoreDBClient)) {
    this.newClient = typeof client === 'function' ? client : undefined;
    this.client = typeof client === 'function' ? client() : client;
  }

  /** `connectionString` as EventStoreDB documents it, e.g. `esdb://127.0.0.1:2113?tls=false`. */
  static connect(connectionString: string): EventStoreDbEventStore {
    return new EventStoreDbEventStore(() => EventStoreDBClient.connectionString(connectionString));
  }

  /**
   * Event ids are the events' message ids, made once per decision (`withMetadata`): an
   * append sent again after an unknown outcome (a timeout after the commit) carries the
   * same ids, and the server answers it as the earlier success instead of writing twice.
   */
  async appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const data = events.map((event) => toEventData(streamName, event));
    const client = this.client;
    try {
      const result = await client.appendToStream(streamName, data, { expectedRevision: toEsdbExpectedRevision(expected) });
      // With `throwOnAppendFailure=false` in the connection string the client resolves a conflict.
      if (!result.success) throw new WrongExpectedVersion(streamName, expected, await this.lastRevision(streamName));
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      const position = result.position ? toGlobalPosition(result.position) : await this.positionOf(streamName, nextExpectedRevision);
      return { nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedVersion(streamName, expected, toActualRevision(error.actualVersion));
      }
      throw this.toPortError(error, client, streamName);
    }
  }

  /**
   * Where the event at `revision` is in `$all`. The server answers an idempotent re-send
   * (the same event ids again) as a success without a position; the events it stands for
   * are read back.
   */
  private async positionOf(streamName: string, revision: number): Promise<GlobalPosition> {
    const [event] = await this.readStream(streamName, { fromRevision: revision, maxCount: 1 });
    if (event?.revision !== revision) {
      throw new EventStoreRefused('unknown', streamName, `EventStoreDB reported an append to "${streamName}" at revision ${revision} but has no such event.`);
    }
    return event.position;
  }

  /** The stream's last revision; a refused append's answer does not always carry it right. */
  private async lastRevision(streamName: string): Promise<number | 'no-stream'> {
    const [last] = await this.readStream(streamName, { direction: 'backwards', maxCount: 1 });
    return last ? last.revision : 'no-stream';
  }

  /**
   * The port's error for what the client threw. A failed cluster discovery also replaces
   * the client, which would otherwise fail every later call with it.
   */
  private toPortError(error: unknown, client: EventStoreDBClient, streamName?: string): unknown {
    if (error instanceof Error && DISCOVERY_FAILED.test(error.message) && this.newClient && this.client === client) {
      this.client = this.newClient();
      void client.dispose().catch(() => undefined);
    }
    return toPortError(error, streamName);
  }

  async readStream<E extends Event = Event>(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const client = this.client;
    try {
      const read = client.readStream(streamName, {
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
      throw this.toPortError(error, client, streamName);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_COUNT;
    const recorded: RecordedEvent[] = [];
    if (maxCount <= 0) return recorded;
    // Pages large enough that a category filter does not cost a round trip per event.
    const pageSize = Math.min(Math.max(maxCount, 100), 1000);
    const client = this.client;
    try {
      for await (const event of this.scanAll('forwards', options.after, pageSize)) {
        if (!isVisible(event, options.categories)) continue;
        recorded.push(toRecordedEvent(event));
        if (recorded.length === maxCount) break;
      }
      return recorded;
    } catch (error) {
      throw this.toPortError(error, client);
    }
  }

  /**
   * The newest event of ours, read backwards from the end of `$all` in pages of 1, 10,
   * then 100 events: the usual probe reads one event; system events after ours (stats,
   * projection links) cost the next pages.
   */
  async headPosition(): Promise<GlobalPosition | undefined> {
    const client = this.client;
    try {
      let cursor: Position | undefined;
      for (let pageSize = 1; ; pageSize = Math.min(pageSize * 10, HEAD_PAGE_SIZE)) {
        // Read to the page's end: leaving the client's read early keeps `close()` waiting for it.
        const page: AllStreamRecordedEvent[] = [];
        for await (const { event } of client.readAll({ direction: BACKWARDS, fromPosition: cursor ?? END, maxCount: pageSize })) if (event) page.push(event);
        // `fromPosition` is inclusive: a later page starts with the event the last one ended at.
        const older = cursor ? page.filter((event) => event.position.commit !== cursor!.commit || event.position.prepare !== cursor!.prepare) : page;
        const newest = older.find((event) => isVisible(event));
        if (newest) return toGlobalPosition(newest.position);
        if (page.length < pageSize || older.length === 0) return undefined;
        cursor = older[older.length - 1]!.position;
      }
    } catch (error) {
      throw this.toPortError(error, client);
    }
  }

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const { categories } = options;
    const client = this.client;
    const source = client.subscribeToAll({
      fromPosition: options.after ? toEsdbPosition(options.after) : START,
      filter: categories ? streamNameFilter({ prefixes: categories.map((category) => `${category}-`) }) : excludeSystemEvents(),
    });
    const subscription = deliverInBatches(source, options, handler, (error) => this.toPortError(error, client));
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
function deliverInBatches(
  source: ReturnType<EventStoreDBClient['subscribeToAll']>,
  options: SubscribeOptions,
  handler: BatchHandler,
  toPortError: (error: unknown) => unknown,
): Subscription {
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
  // Stream reads carry the $all position from EventStoreDB 22.6 on.
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
 * Whether the client failed for a reason that passes: the server could not be reached,
 * did not answer in time, is not ready, busy or not the leader, or the connection broke
 * under the call. The class is not enough: some calls fail with the raw gRPC error (a plain
 * `Error` with a numeric `code`), and a batch-append timeout is a `DeadlineExceededError`
 * without a code.
 */
export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED || code === CANCELLED || code === INTERNAL) return true;
  return NOT_HANDLED.test(error.message) || DISCOVERY_FAILED.test(error.message);
}

/**
 * The port's error for what the client threw: `EventStoreUnavailable` for what passes,
 * `EventStoreRefused` for the server's other answers. What did not come from the client
 * (our own mapping, say) is left as it is.
 */
export function toPortError(error: unknown, streamName = '$all'): unknown {
  if (isUnavailable(error)) return new EventStoreUnavailable(`EventStoreDB is unavailable: ${(error as Error).message}`, { cause: error });
  if (error instanceof AccessDeniedError) {
    return new EventStoreRefused('access-denied', streamName, `EventStoreDB denied access to "${streamName}": check the credentials in EVENTSTORE_URL.`, { cause: error });
  }
  if (error instanceof StreamDeletedError) {
    return new EventStoreRefused('stream-deleted', streamName, `EventStoreDB stream "${streamName}" is deleted and takes no more events.`, { cause: error });
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return new EventStoreRefused('too-large', streamName, `The append to "${streamName}" is too large: EventStoreDB takes at most ${error.maxAppendSize} bytes per append.`, {
      cause: error,
    });
  }
  if (error instanceof Error && isCommandError(error)) {
    return new EventStoreRefused('unknown', streamName, `EventStoreDB refused a request on "${streamName}": ${error.message}`, { cause: error });
  }
  return error;
}

/**
 * The client's form of an event, its JSON checked first: the client would serialise it
 * inside a promise it never settles, and a value JSON cannot hold (a BigInt) would leave
 * the append hanging and raise an unhandled rejection. The client serialises it again,
 * which then cannot fail.
 */
function toEventData(streamName: string, event: NewEvent): EventData {
  eventJson(streamName, event);
  return jsonEvent({ id: event.metadata.messageId, type: event.type, data: event.data, metadata: event.metadata });
}

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
import readStreamModule from '@eventstore/db-client/dist/streams/utils/ReadStream.js';
import convertModule from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { EventStoreRefused, EventStoreUnavailable, WrongExpectedVersion } from '../errors.js';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadCorrelationOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { comparePositions, type Event, type EventMetadata, type GlobalPosition, type NewEvent, type RecordedEvent } from '../event.js';
import { eventJson } from '../event-json.js';
import { categoryOf } from '../stream-name.js';

const DEFAULT_READ_ALL_COUNT = 1000;
const DEFAULT_MAX_BATCH_SIZE = 500;
/**
 * Most log records the server looks at per page of a filtered read (its default is 32):
 * the page size of the unfiltered reads this replaced, so no page costs the server more
 * than those did (docs/adr/0018).
 */
const MAX_SEARCH_WINDOW = 1000;
/** What the server's `^[^$].*` event-type filter lets through: no system events. */
const NOT_SYSTEM_EVENTS = '^[^$].*';

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

  /**
   * Filtered on the server (client 6.2.1's `readAll` cannot ask for it; docs/adr/0018): the
   * server walks `$all` and sends only events of the categories (or, without categories, no
   * system events), at most `maxCount` of them, one more after a position: the read starts
   * at it inclusively, and the event there, or else the one past `maxCount`, is dropped.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = Math.min(options.maxCount ?? DEFAULT_READ_ALL_COUNT, Number.MAX_SAFE_INTEGER - 1);
    const { categories } = options;
    const recorded: RecordedEvent[] = [];
    if (maxCount <= 0 || categories?.length === 0) return recorded;
    const filter: ReadFilter = categories ? { streamNamePrefixes: categories.map((category) => `${category}-`) } : { eventTypeRegex: NOT_SYSTEM_EVENTS };
    const client = this.client;
    try {
      let cursor = options.after;
      for (;;) {
        const count = maxCount - recorded.length + (cursor ? 1 : 0);
        let received = 0;
        let last: GlobalPosition | undefined;
        // Read to the end of what was asked for: leaving the client's read early keeps `close()` waiting for it.
        for await (const { event } of readAllFiltered(client, { direction: 'forwards', from: cursor, count, filter })) {
          if (!event) continue;
          received++;
          const position = toGlobalPosition(required(event.position));
          if (cursor && comparePositions(position, cursor) <= 0) continue;
          last = position;
          // A system event in a category's stream passes the name filter; it is not ours.
          if (recorded.length < maxCount && isVisible(event, categories)) recorded.push(toRecordedEvent(event));
        }
        // A full answer with events left out above: ask again after the last one.
        if (received < count || recorded.length >= maxCount || !last) return recorded;
        cursor = last;
      }
    } catch (error) {
      throw this.toPortError(error, client);
    }
  }

  /**
   * The server's `$bc-<correlation id>` stream: links to every event whose metadata has
   * that `$correlationId` (written beside ours, `toEventData`), made by the system
   * projection `$by_correlation_id` a moment after the events are written. It runs where
   * the server runs its standard projections (`EVENTSTORE_RUN_PROJECTIONS=System` or `All`,
   * `EVENTSTORE_START_STANDARD_PROJECTIONS=true`, as in docker-compose.yml); without them
   * the stream does not exist and the answer is empty.
   */
  async readByCorrelation(correlationId: string, options: ReadCorrelationOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const stream = `$bc-${correlationId}`;
    const client = this.client;
    try {
      const read = client.readStream(stream, {
        direction: FORWARDS,
        fromRevision: START,
        resolveLinkTos: true,
        ...(options.maxCount !== undefined && { maxCount: options.maxCount }),
      });
      const links: StoredEvent[] = [];
      // A link whose event is gone (its stream deleted or truncated) resolves to nothing.
      for await (const { event } of read) if (event && !event.type.startsWith('$')) links.push(event);
      // The projection follows $all, so the links are in log order. A linked event's own
      // $all position comes with it from the servers this adapter runs on; where it does
      // not, its stream tells it.
      return await Promise.all(links.map(async (event) => toRecordedEvent(event, event.position ? undefined : await this.positionOf(event.streamId, Number(event.revision)))));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.toPortError(error, client, stream);
    }
  }

  /** The newest event of ours: one event read backwards from the end of `$all`, system events filtered out by the server. */
  async headPosition(): Promise<GlobalPosition | undefined> {
    const client = this.client;
    try {
      let newest: AllStreamRecordedEvent | undefined;
      for await (const { event } of readAllFiltered(client, { direction: 'backwards', count: 1, filter: { eventTypeRegex: NOT_SYSTEM_EVENTS } })) newest ??= event;
      return newest ? toGlobalPosition(required(newest.position)) : undefined;
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
}

/** What the server lets through: streams whose names start with one of the prefixes, or event types the expression matches. */
type ReadFilter = { readonly streamNamePrefixes: readonly string[] } | { readonly eventTypeRegex: string };

interface FilteredRead {
  readonly direction: 'forwards' | 'backwards';
  /** Inclusive; the start (forwards) or the end (backwards) when absent. */
  readonly from?: GlobalPosition;
  /** Most events the server sends, of those the filter lets through. */
  readonly count: number;
  readonly filter: ReadFilter;
}

type GrpcStreamsClient = InstanceType<typeof streamsGrpc.StreamsClient>;
type GrpcRead = ReturnType<GrpcStreamsClient['read']>;
type CallArguments = [NonNullable<Parameters<GrpcStreamsClient['read']>[1]>, NonNullable<Parameters<GrpcStreamsClient['read']>[2]>];

/**
 * The two members of client 6.2.1's `Client` that its own `readAll` issues a read with
 * (`protected` in its typings): the gRPC stream on the client's channel, with its
 * discovery, reconnection and `dispose()`; the call's metadata and credentials.
 */
interface ClientInternals {
  GRPCStreamCreator(grpcClient: typeof streamsGrpc.StreamsClient, debugName: string, creator: (client: GrpcStreamsClient) => GrpcRead): () => Promise<GrpcRead>;
  callArguments(options: Record<string, never>, callOptions: { deadline: number }): CallArguments;
}

/**
 * A `$all` read the server filters: the request of client 6.2.1's `readAll`, with a filter
 * where that sets `no_filter`, sent and answered through the same client machinery
 * (its `ReadStream` turns the answers into the client's events and errors).
 */
function readAllFiltered(client: EventStoreDBClient, read: FilteredRead): AsyncIterable<AllStreamResolvedEvent> {
  const all = new streamsPb.ReadReq.Options.AllOptions();
  if (read.from) all.setPosition(new streamsPb.ReadReq.Options.Position().setCommitPosition(String(read.from.commit)).setPreparePosition(String(read.from.prepare)));
  else if (read.direction === 'forwards') all.setStart(new sharedPb.Empty());
  else all.setEnd(new sharedPb.Empty());

  const expression = new streamsPb.ReadReq.Options.FilterOptions.Expression();
  const filter = new streamsPb.ReadReq.Options.FilterOptions().setMax(MAX_SEARCH_WINDOW);
  if ('streamNamePrefixes' in read.filter) filter.setStreamIdentifier(expression.setPrefixList([...read.filter.streamNamePrefixes]));
  else filter.setEventType(expression.setRegex(read.filter.eventTypeRegex));

  const options = new streamsPb.ReadReq.Options()
    .setAll(all)
    .setReadDirection(read.direction === 'forwards' ? streamsPb.ReadReq.Options.ReadDirection.FORWARDS : streamsPb.ReadReq.Options.ReadDirection.BACKWARDS)
    .setResolveLinks(false)
    .setCount(String(read.count))
    .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()))
    .setFilter(filter);
  const request = new streamsPb.ReadReq().setOptions(options);

  const internals = client as unknown as ClientInternals;
  const createStream = internals.GRPCStreamCreator(streamsGrpc.StreamsClient, 'readAll', (grpcClient) =>
    grpcClient.read(request, ...internals.callArguments({}, { deadline: Infinity })),
  );
  return new readStreamModule.ReadStream<AllStreamResolvedEvent>(createStream, convertModule.convertGrpcEvent, {});
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

function toRecordedEvent(event: StoredEvent, position = toGlobalPosition(required(event.position))): RecordedEvent {
  return {
    streamName: event.streamId,
    revision: Number(event.revision),
    position,
    recordedAt: event.created,
    type: event.type,
    // We only ever write JSON objects; these are what we wrote.
    data: event.data as Record<string, unknown>,
    metadata: ourMetadata(event.metadata as Record<string, unknown>),
  };
}

/** The metadata as we wrote it, without the server's own `$`-names written beside it (`toEventData`). */
function ourMetadata(stored: Record<string, unknown>): EventMetadata {
  return Object.fromEntries(Object.entries(stored).filter(([key]) => !key.startsWith('$'))) as unknown as EventMetadata;
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
  // Also under EventStoreDB's own names, which its `$by_correlation_id` projection and its UI go by.
  const metadata = { ...event.metadata, $correlationId: event.metadata.correlationId, $causationId: event.metadata.causationId };
  return jsonEvent({ id: event.metadata.messageId, type: event.type, data: event.data, metadata });
}

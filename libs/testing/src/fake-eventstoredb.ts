import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import { EventStoreDbEventStore } from '@agora/event-sourcing';
import * as grpc from '@grpc/grpc-js';
import gossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb.js';
import gossipPb from '@eventstore/db-client/generated/gossip_pb.js';
import featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';

type AppendReq = InstanceType<typeof streamsPb.AppendReq>;
type AppendResp = InstanceType<typeof streamsPb.AppendResp>;
type BatchAppendReq = InstanceType<typeof streamsPb.BatchAppendReq>;
type BatchAppendResp = InstanceType<typeof streamsPb.BatchAppendResp>;
type ReadReq = InstanceType<typeof streamsPb.ReadReq>;
type ReadResp = InstanceType<typeof streamsPb.ReadResp>;

/**
 * How the server answers an append instead of writing it, as EventStoreDB does:
 * - `not-ready`, `busy`: a node starting or electing a leader, or overloaded. Through the
 *   batch append, an error whose detail is `Empty` and whose message names the reason
 *   (the client cannot recognise it); through the unary append, gRPC `UNAVAILABLE`.
 * - `timeout-after-commit`: the write is committed, then the answer is a commit timeout.
 * - `access-denied`, `stream-deleted`, `max-append-size`: the server's typed refusals.
 * - `not-leader`: a follower's answer, pointing at the leader (this same server).
 * - `reset`: the HTTP/2 stream reset under the call (gRPC `INTERNAL`, code 13).
 */
export type FakeAppendAnswer = 'not-ready' | 'busy' | 'timeout-after-commit' | 'access-denied' | 'stream-deleted' | 'max-append-size' | 'not-leader' | 'reset';

export interface FakeEventStoreDbOptions {
  /** Whether the server lists the batch append among its features (EventStoreDB 21.10+). Default true. */
  readonly batchAppend?: boolean;
}

export interface FakeStoredEvent {
  readonly id: string;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly position: number;
  /** When it was written, in milliseconds since the epoch. */
  readonly created: number;
}

/** A `$all` read's filter as the server received it. */
export interface FakeReadFilter {
  /** What the expression is matched against. */
  readonly on: 'stream-name' | 'event-type';
  readonly prefixes: readonly string[];
  /** Empty when the expression is by prefixes. */
  readonly regex: string;
  /** Most log records looked at per page, or `undefined` for the server's default. */
  readonly maxSearchWindow: number | undefined;
}

/** A read as the server received it. */
export interface FakeReadRequest {
  /** `$all` or a stream's name. */
  readonly stream: string;
  readonly direction: 'forwards' | 'backwards';
  /** A commit position (`$all`) or revision (a stream), or either end. */
  readonly from: number | 'start' | 'end';
  readonly count: number;
  readonly filter?: FakeReadFilter;
}

interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

type Expected = { readonly kind: 'any' | 'no-stream' | 'stream-exists' } | { readonly kind: 'revision'; readonly revision: number };

type AppendOutcome =
  | { readonly kind: 'written'; readonly revision: number; readonly position: number | undefined }
  | { readonly kind: 'wrong-expected-version'; readonly current: number | undefined }
  | { readonly kind: 'answer'; readonly answer: FakeAppendAnswer };

/**
 * An in-process gRPC server built from `@eventstore/db-client`'s own generated protobuf
 * code, answering as EventStoreDB does for what the adapter's tests need: appends (batch
 * and unary, both append-failure modes, idempotent re-sends), stream reads, the server's
 * features, gossip for `esdb+discover://`, and `$all` reads, unfiltered or filtered by
 * stream name or event type (prefixes or a regular expression). Answers can be scripted
 * per append; reads are recorded. Nothing of the real server's storage or subscriptions.
 */
export class FakeEventStoreDb {
  readonly streams = new Map<string, FakeStoredEvent[]>();
  /** Appends the server has received, including refused and scripted ones. */
  appendsReceived = 0;
  /** Whether gossip answers with this node as leader; `false` fails every gossip read. */
  gossipAnswers = true;
  /** Events the server has sent in answer to reads, of streams and of `$all`. */
  eventsRead = 0;
  /** Events of `$all` the server has looked at to answer reads, sent or filtered out. */
  eventsExamined = 0;
  /** Every read the server has received, in order. */
  readonly readRequests: FakeReadRequest[] = [];
  /** Whether an idempotent re-send is answered without a position (as before the write is indexed). */
  idempotentWithoutPosition = true;
  private readonly scripted: FakeAppendAnswer[] = [];
  private lastPosition = 0;
  /** Every event in log order (`$all`). */
  private readonly log: FakeStoredEvent[] = [];

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(options: FakeEventStoreDbOptions = {}): Promise<FakeEventStoreDb> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const fake = new FakeEventStoreDb(server, port);
    fake.serve(options);
    return fake;
  }

  /** A connection string for this server; `params` are added to the query. */
  url(params = ''): string {
    return `esdb://127.0.0.1:${this.port}?tls=false${params ? `&${params}` : ''}`;
  }

  /** The next appends are answered with these, one each, before any is written. */
  answerNextAppends(...answers: FakeAppendAnswer[]): void {
    this.scripted.push(...answers);
  }

  events(streamName: string): readonly FakeStoredEvent[] {
    return this.streams.get(streamName) ?? [];
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }

  private serve({ batchAppend = true }: FakeEventStoreDbOptions): void {
    this.server.addService(featuresGrpc.ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
        const methods = new featuresPb.SupportedMethods().setEventStoreServerVersion('23.10.0');
        const supported: [string, string][] = [['event_store.client.streams.streams', 'read'], ['event_store.client.streams.streams', 'append']];
        if (batchAppend) supported.push(['event_store.client.streams.streams', 'batchappend']);
        methods.setMethodsList(supported.map(([service, method]) => new featuresPb.SupportedMethod().setServiceName(service).setMethodName(method)));
        callback(null, methods);
      },
    });
    this.server.addService(gossipGrpc.GossipService, {
      read: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
        if (!this.gossipAnswers) return callback({ code: grpc.status.UNAVAILABLE, details: 'Gossip is not answering' });
        const member = new gossipPb.MemberInfo()
          .setInstanceId(new sharedPb.UUID().setString(randomUUID()))
          .setTimeStamp(String(Date.now()))
          .setState(gossipPb.MemberInfo.VNodeState.LEADER)
          .setIsAlive(true)
          .setHttpEndPoint(new gossipPb.EndPoint().setAddress('127.0.0.1').setPort(this.port));
        callback(null, new gossipPb.ClusterInfo().setMembersList([member]));
      },
    });
    this.server.addService(streamsGrpc.StreamsService, {
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) => this.unaryAppend(call, callback),
      batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => this.batchAppend(call),
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
    });
  }

  private unaryAppend(call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void {
    let streamName = '';
    let expected: Expected = { kind: 'any' };
    const proposed: ProposedEvent[] = [];
    call.on('data', (request: AppendReq) => {
      const options = request.getOptions();
      if (options) {
        streamName = Buffer.from(options.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
        expected = options.hasRevision()
          ? { kind: 'revision', revision: Number(options.getRevision()) }
          : { kind: options.hasNoStream() ? 'no-stream' : options.hasStreamExists() ? 'stream-exists' : 'any' };
      }
      const message = request.getProposedMessage();
      if (message) proposed.push(toProposed(message));
    });
    call.on('end', () => {
      const outcome = this.append(streamName, expected, proposed);
      switch (outcome.kind) {
        case 'answer': {
          const error = rpcError(outcome.answer, this.port);
          if (error) return callback(error);
          // The unary append has no room for a typed refusal: EventStoreDB fails the call.
          return callback(unaryRefusal(outcome.answer, streamName));
        }
        case 'wrong-expected-version': {
          const refusal = new streamsPb.AppendResp.WrongExpectedVersion();
          if (outcome.current === undefined) refusal.setCurrentNoStream(new sharedPb.Empty());
          else refusal.setCurrentRevision(String(outcome.current));
          if (expected.kind === 'revision') refusal.setExpectedRevision(String(expected.revision));
          else if (expected.kind === 'no-stream') refusal.setExpectedNoStream(new sharedPb.Empty());
          else if (expected.kind === 'stream-exists') refusal.setExpectedStreamExists(new sharedPb.Empty());
          else refusal.setExpectedAny(new sharedPb.Empty());
          return callback(null, new streamsPb.AppendResp().setWrongExpectedVersion(refusal));
        }
        case 'written': {
          const success = new streamsPb.AppendResp.Success().setCurrentRevision(String(outcome.revision));
          if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
          else success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
          return callback(null, new streamsPb.AppendResp().setSuccess(success));
        }
      }
    });
  }

  private batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const pending = new Map<string, { streamName: string; expected: Expected; proposed: ProposedEvent[]; identifier: InstanceType<typeof sharedPb.StreamIdentifier> }>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId()!;
      const key = correlation.getString() || Buffer.from(correlation.serializeBinary()).toString('hex');
      let batch = pending.get(key);
      const options = request.getOptions();
      if (options) {
        const identifier = options.getStreamIdentifier()!;
        batch = {
          streamName: Buffer.from(identifier.getStreamName_asU8()).toString('utf8'),
          identifier,
          expected: options.hasStreamPosition()
            ? { kind: 'revision', revision: Number(options.getStreamPosition()) }
            : { kind: options.hasNoStream() ? 'no-stream' : options.hasStreamExists() ? 'stream-exists' : 'any' },
          proposed: [],
        };
        pending.set(key, batch);
      }
      if (!batch) return;
      batch.proposed.push(...request.getProposedMessagesList().map(toProposed));
      if (!request.getIsFinal()) return;
      pending.delete(key);

      const outcome = this.append(batch.streamName, batch.expected, batch.proposed);
      if (outcome.kind === 'answer') {
        const error = rpcError(outcome.answer, this.port);
        // A call-level failure ends the whole batch-append stream, as the server's exceptions do.
        if (error) return void call.emit('error', error);
      }
      const response = new streamsPb.BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(batch.identifier);
      if (batch.expected.kind === 'revision') response.setStreamPosition(String(batch.expected.revision));
      else if (batch.expected.kind === 'no-stream') response.setNoStream(new emptyPb.Empty());
      else if (batch.expected.kind === 'stream-exists') response.setStreamExists(new emptyPb.Empty());
      else response.setAny(new emptyPb.Empty());
      switch (outcome.kind) {
        case 'answer':
          response.setError(batchRefusal(outcome.answer));
          break;
        case 'wrong-expected-version': {
          const detail = new sharedPb.WrongExpectedVersion();
          if (outcome.current === undefined) detail.setCurrentNoStream(new emptyPb.Empty());
          else detail.setCurrentStreamRevision(String(outcome.current));
          if (batch.expected.kind === 'revision') detail.setExpectedStreamPosition(String(batch.expected.revision));
          else if (batch.expected.kind === 'no-stream') detail.setExpectedNoStream(new emptyPb.Empty());
          else if (batch.expected.kind === 'stream-exists') detail.setExpectedStreamExists(new emptyPb.Empty());
          else detail.setExpectedAny(new emptyPb.Empty());
          response.setError(status(grpc.status.FAILED_PRECONDITION, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion'));
          break;
        }
        case 'written': {
          const success = new streamsPb.BatchAppendResp.Success().setCurrentRevision(String(outcome.revision));
          if (outcome.position === undefined) success.setNoPosition(new emptyPb.Empty());
          else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
          response.setSuccess(success);
          break;
        }
      }
      call.write(response);
    });
    call.on('end', () => call.end());
  }

  /** The server's decision for one append; writes when it may. */
  private append(streamName: string, expected: Expected, proposed: readonly ProposedEvent[]): AppendOutcome {
    this.appendsReceived++;
    const answer = this.scripted.shift();
    if (answer && answer !== 'timeout-after-commit') return { kind: 'answer', answer };
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length > 0 ? stream.length - 1 : undefined;

    // Idempotence: the same event ids where they were written before succeed again, writing nothing.
    const first = proposed[0] ? stream.findIndex((event) => event.id === proposed[0]!.id) : -1;
    if (first >= 0 && proposed.every((event, n) => stream[first + n]?.id === event.id)) {
      const last = stream[first + proposed.length - 1]!;
      return { kind: 'written', revision: last.revision, position: this.idempotentWithoutPosition ? undefined : last.position };
    }

    const satisfied =
      expected.kind === 'any' ||
      (expected.kind === 'no-stream' && current === undefined) ||
      (expected.kind === 'stream-exists' && current !== undefined) ||
      (expected.kind === 'revision' && current === expected.revision);
    if (!satisfied) return { kind: 'wrong-expected-version', current };

    for (const event of proposed) {
      this.lastPosition += 100;
      const stored = { ...event, streamName, revision: stream.length, position: this.lastPosition, created: Date.now() };
      stream.push(stored);
      this.log.push(stored);
    }
    this.streams.set(streamName, stream);
    if (answer === 'timeout-after-commit') return { kind: 'answer', answer };
    return { kind: 'written', revision: stream.length - 1, position: this.lastPosition };
  }

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions()!;
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const allOptions = options.getAll();
    if (allOptions) {
      const from = allOptions.hasPosition() ? Number(allOptions.getPosition()!.getCommitPosition()) : allOptions.hasEnd() ? 'end' : 'start';
      let filter: FakeReadFilter | undefined;
      try {
        filter = options.hasFilter() ? toReadFilter(options.getFilter()!) : undefined;
      } catch (error) {
        // The server fails the call on a filter it cannot build (no window, say), as an unhandled exception.
        return void call.emit('error', { code: grpc.status.UNKNOWN, details: `Exception was thrown by handler. ${(error as Error).message}` });
      }
      this.readRequests.push({ stream: '$all', direction: backwards ? 'backwards' : 'forwards', from, count, ...(filter && { filter }) });
      // `$all` in log order, from a position (inclusive), the start or the end; the server
      // walks it in order and sends only what the filter lets through, up to `count` of those.
      const log = this.log;
      const passes = filter ? matcher(filter) : () => true;
      let index = typeof from === 'number' ? firstAtOrAfter(log, from) : from === 'start' ? 0 : log.length;
      if (backwards) index = typeof from === 'number' ? (log[index]?.position === from ? index : index - 1) : from === 'start' ? -1 : log.length - 1;
      let sent = 0;
      for (; sent < count && index >= 0 && index < log.length; index += backwards ? -1 : 1) {
        const event = log[index]!;
        this.eventsExamined++;
        if (!passes(event)) continue;
        call.write(readResponse(event, new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.streamName))));
        sent++;
      }
      this.eventsRead += sent;
      return void call.end();
    }
    const streamOptions = options.getStream()!;
    const identifier = streamOptions.getStreamIdentifier()!;
    const streamName = Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
    const stream = this.streams.get(streamName);
    if (!stream) {
      call.write(new streamsPb.ReadResp().setStreamNotFound(new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(identifier)));
      return void call.end();
    }
    this.readRequests.push({
      stream: streamName,
      direction: backwards ? 'backwards' : 'forwards',
      from: streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : streamOptions.hasEnd() ? 'end' : 'start',
      count,
    });
    const from = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : streamOptions.hasEnd() ? stream.length - 1 : 0;
    const selected = backwards ? stream.slice(0, from + 1).reverse() : stream.slice(from);
    for (const event of selected.slice(0, count)) call.write(readResponse(event, identifier));
    this.eventsRead += Math.min(selected.length, count);
    call.end();
  }
}

/** Index of the first event at or after `position` in the log (its length when there is none). */
function firstAtOrAfter(log: readonly FakeStoredEvent[], position: number): number {
  let [low, high] = [0, log.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (log[middle]!.position < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The filter of a read; throws where the server would (an expression on nothing, no window). */
function toReadFilter(options: InstanceType<typeof streamsPb.ReadReq.Options.FilterOptions>): FakeReadFilter {
  const FilterCase = streamsPb.ReadReq.Options.FilterOptions.FilterCase;
  const WindowCase = streamsPb.ReadReq.Options.FilterOptions.WindowCase;
  const on = options.getFilterCase() === FilterCase.STREAM_IDENTIFIER ? 'stream-name' : options.getFilterCase() === FilterCase.EVENT_TYPE ? 'event-type' : undefined;
  if (!on) throw new Error('The filter matches on neither stream names nor event types.');
  const window = options.getWindowCase();
  if (window !== WindowCase.MAX && window !== WindowCase.COUNT) throw new Error('The filter has no search window.');
  const expression = (on === 'stream-name' ? options.getStreamIdentifier() : options.getEventType())!;
  return { on, prefixes: expression.getPrefixList(), regex: expression.getRegex(), maxSearchWindow: window === WindowCase.MAX ? options.getMax() : undefined };
}

/** As the server's filters: a regular expression when there is one, else any of the prefixes. */
function matcher(filter: FakeReadFilter): (event: FakeStoredEvent) => boolean {
  const regex = filter.regex ? new RegExp(filter.regex) : undefined;
  return (event) => {
    const value = filter.on === 'stream-name' ? event.streamName : event.type;
    return regex ? regex.test(value) : filter.prefixes.some((prefix) => value.startsWith(prefix));
  };
}

function readResponse(event: FakeStoredEvent, identifier: InstanceType<typeof sharedPb.StreamIdentifier>): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(event.id))
    .setStreamIdentifier(identifier)
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded.getMetadataMap().set('type', event.type).set('content-type', event.contentType).set('created', String(event.created * 10_000));
  return new streamsPb.ReadResp().setEvent(new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position)));
}

function toProposed(message: { getId(): InstanceType<typeof sharedPb.UUID> | undefined; getMetadataMap(): { get(key: string): string | undefined }; getData_asU8(): Uint8Array; getCustomMetadata_asU8(): Uint8Array }): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: message.getId()!.getString(),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

function status(code: number, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): InstanceType<typeof statusPb.Status> {
  const any = new anyPb.Any();
  any.pack(detail.serializeBinary(), typeName);
  return new statusPb.Status().setCode(code).setMessage(message).setDetails(any);
}

/** A refusal inside a batch-append response. */
function batchRefusal(answer: FakeAppendAnswer): InstanceType<typeof statusPb.Status> {
  switch (answer) {
    case 'not-ready':
      return status(grpc.status.UNAVAILABLE, 'Server Is Not Ready', new emptyPb.Empty(), 'google.protobuf.Empty');
    case 'busy':
      return status(grpc.status.UNAVAILABLE, 'Server Is Busy', new emptyPb.Empty(), 'google.protobuf.Empty');
    case 'timeout-after-commit':
      return status(grpc.status.DEADLINE_EXCEEDED, 'Timeout', new sharedPb.Timeout(), 'event_store.client.Timeout');
    case 'access-denied':
      return status(grpc.status.PERMISSION_DENIED, 'Access Denied', new sharedPb.AccessDenied(), 'event_store.client.AccessDenied');
    case 'stream-deleted':
      return status(grpc.status.FAILED_PRECONDITION, 'Stream Deleted', new sharedPb.StreamDeleted(), 'event_store.client.StreamDeleted');
    case 'max-append-size':
      return status(grpc.status.INVALID_ARGUMENT, 'Maximum Append Size Exceeded', new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(1024), 'event_store.client.MaximumAppendSizeExceeded');
    default:
      throw new Error(`${answer} fails the call, not one append.`);
  }
}

/** How the unary append reports what the batch append puts in its response. */
function unaryRefusal(answer: FakeAppendAnswer, streamName: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  switch (answer) {
    case 'not-ready':
      return { code: grpc.status.UNAVAILABLE, details: 'Server Is Not Ready' };
    case 'busy':
      return { code: grpc.status.UNAVAILABLE, details: 'Server Is Too Busy' };
    case 'timeout-after-commit':
      return { code: grpc.status.ABORTED, details: 'Operation timed out' };
    case 'access-denied':
      metadata.set('exception', 'access-denied');
      return { code: grpc.status.PERMISSION_DENIED, details: 'Access Denied', metadata };
    case 'stream-deleted':
      metadata.set('exception', 'stream-deleted');
      metadata.set('stream-name', streamName);
      return { code: grpc.status.FAILED_PRECONDITION, details: 'Event stream is deleted.', metadata };
    case 'max-append-size':
      metadata.set('exception', 'maximum-append-size-exceeded');
      metadata.set('maximum-append-size', '1024');
      return { code: grpc.status.INVALID_ARGUMENT, details: 'Maximum Append Size of 1024 Exceeded.', metadata };
    default:
      throw new Error(`${answer} is a call-level failure.`);
  }
}

/** The answers that fail the whole call in either append. */
function rpcError(answer: FakeAppendAnswer, leaderPort: number): Partial<grpc.StatusObject> | undefined {
  if (answer === 'reset') return { code: grpc.status.INTERNAL, details: 'Received RST_STREAM with code 2 (Internal server error)' };
  if (answer !== 'not-leader') return undefined;
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'not-leader');
  metadata.set('leader-endpoint-host', '127.0.0.1');
  metadata.set('leader-endpoint-port', String(leaderPort));
  return { code: grpc.status.NOT_FOUND, details: 'Leader info available', metadata };
}

/**
 * For a suite of tests: a server started before them, and a store connected to it (by
 * default to its plain URL), both stopped after them. Read `server` and `store` in the tests.
 */
export function fakeEventStoreDbForSuite(
  options: FakeEventStoreDbOptions = {},
  connect: (server: FakeEventStoreDb) => EventStoreDbEventStore = (server) => EventStoreDbEventStore.connect(server.url()),
): { readonly server: FakeEventStoreDb; readonly store: EventStoreDbEventStore } {
  const suite = {} as { server: FakeEventStoreDb; store: EventStoreDbEventStore };
  beforeAll(async () => {
    suite.server = await FakeEventStoreDb.start(options);
    suite.store = connect(suite.server);
  });
  afterAll(async () => {
    await suite.store.close();
    await suite.server.stop();
  });
  return suite;
}

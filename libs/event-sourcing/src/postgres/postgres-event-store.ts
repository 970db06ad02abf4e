import pg from 'pg';
import type { Event, GlobalPosition, NewEvent, RecordedEvent } from '../event.js';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadCorrelationOptions,
  ReadStreamOptions,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { EventStoreUnavailable, WrongExpectedVersion } from '../errors.js';
import { eventJson } from '../event-json.js';
import { categoryOf } from '../stream-name.js';
import { migrateEventStore, quotedSchema } from './schema.js';
import { AppendNotifier } from './append-notifier.js';
import { GroupCommit, type Pending } from '../group-commit.js';
import { namedQuery } from './named-query.js';
import { PollingSubscription } from './polling-subscription.js';

export interface PostgresEventStoreOptions {
  /** Schema that holds the store's tables; one store per schema. Default `event_store`. */
  readonly schema?: string;
  /** Longest a subscriber waits for new events when no notification arrives. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Append statements under way at once. Appends that arrive meanwhile wait and are then
   * written together, in one statement and one commit (group commit). Default 1: in the
   * checkout benchmark, one at a time cost the least CPU per order and the shortest
   * waits; more made smaller groups and more commits.
   */
  readonly concurrentAppends?: number;
}

/** What the append statement answers per event, in the order of the events. */
interface AppendedRow {
  commit_position: string;
  global_position: string;
  stream_name: string;
  stream_revision: string;
  recorded_at: Date;
  /**
   * The log's last position before the statement's events (`commit/prepare`, `0/0` for
   * an empty log); `null` or '' where the trigger does not tell it (before migration 0004).
   */
  log_head: string | null;
}

interface EventRow {
  commit_position: string;
  global_position: string;
  stream_name: string;
  stream_revision: string;
  event_type: string;
  data: Record<string, unknown>;
  metadata: NewEvent['metadata'];
  recorded_at: Date;
}

// Aliased: an output column named `transaction_id` of type text would make
// `ORDER BY transaction_id` sort the text ('1000' < '999').
const COLUMNS = 'transaction_id::text AS commit_position, global_position, stream_name, stream_revision, event_type, data, metadata, recorded_at';
const EXPECTED_CODES = { 'no-stream': -1, any: -2, 'stream-exists': -3 } as const;

/**
 * The `EventStore` port on plain PostgreSQL (`pg`, no ORM). An append is one prepared
 * statement, checked by the unique (stream, revision) index; appends to other streams
 * that arrive while earlier ones are being written share one statement and one commit.
 * The global log is ordered by (transaction id, sequence), and appends take their ids in
 * the order they commit (a lock, docs/adr/0019), so every committed event can be read at
 * once and no subscriber ever skips a late commit (docs/adr/0002). Subscribers wake on
 * LISTEN/NOTIFY and fall back to polling.
 */
export class PostgresEventStore implements EventStore {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly notifier: AppendNotifier;
  private readonly subscriptions = new Set<PollingSubscription>();

  private readonly appendSql: string;
  /** Each item is one atomic append: one stream's, or several streams' (`appendToStreams`). */
  private readonly appends: GroupCommit<readonly PreparedAppend[], AppendResult[]>;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.schema = quotedSchema(options.schema ?? 'event_store');
    this.appendSql = appendSql(this.schema);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.appends = new GroupCommit((group) => this.writeGroup(group), {
      maxInFlight: options.concurrentAppends ?? 1,
      maxBatch: 200,
      keysOf: (unit) => unit.map((append) => append.streamName),
    });
    this.notifier = new AppendNotifier(pool, `${options.schema ?? 'event_store'}_appended`, (categories) => this.wakeSubscribers(categories));
  }

  /** Creates or updates the store's tables; idempotent and safe from several processes at once. */
  async migrate(): Promise<void> {
    await unavailableOnConnectionFailure(() => migrateEventStore(this.pool, this.schema.slice(1, -1)));
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) {
      const code = expectedCode(expected);
      const actual = await this.currentRevision(streamName);
      if (!satisfies(code, actual)) throw conflict(streamName, expected, actual);
      return { nextExpectedRevision: actual, position: (await this.headPosition()) ?? START };
    }
    const [result] = await this.appends.submit([prepared({ streamName, events, expected })]);
    return result!;
  }

  /**
   * The streams' events in one commit, or none: a stream that is not as expected writes
   * nothing at all. Goes through the same group commit as single appends, so under load
   * it shares a statement with them. `'any'` and `'stream-exists'` that meet a concurrent
   * writer try again.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (appends.some((append) => append.events.length === 0)) {
      throw new RangeError('appendToStreams takes streams with at least one event each (check an expectation alone with appendToStream).');
    }
    if (new Set(appends.map((append) => append.streamName)).size !== appends.length) {
      throw new RangeError('appendToStreams takes each stream once (put all of its events in one append).');
    }
    return this.appends.submit(appends.map(prepared));
  }

  /**
   * Writes a group of independent atomic appends (`GroupCommit`), each of one stream or
   * several: one statement for all when every stream is as expected. An append with a
   * stream that is not is refused to its own caller, and the others are written without
   * it; a failure of the statement that is about one append's content (say, text
   * PostgreSQL refuses) makes each append try alone, so it fails only its own caller.
   */
  private async writeGroup(group: readonly Pending<readonly PreparedAppend[], AppendResult[]>[]): Promise<void> {
    let remaining = group;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      const batch = remaining.flatMap((pending) => pending.item);
      /** Which pending append each of the batch's streams belongs to. */
      const owner = remaining.flatMap((pending, i) => pending.item.map(() => i));
      try {
        const results = await this.insert(batch);
        // The results come in the batch's order: each append's streams side by side.
        let from = 0;
        for (const pending of remaining) pending.resolve(results.slice(from, (from += pending.item.length)));
        return;
      } catch (error) {
        const refusedStreams = await this.refusals(batch, error, attempt);
        if (refusedStreams) {
          const refused = new Map<number, WrongExpectedVersion>();
          for (const [n, conflict] of refusedStreams) if (!refused.has(owner[n]!)) refused.set(owner[n]!, conflict);
          for (const [i, conflict] of refused) {
            const pending = remaining[i]!;
            // One commit: if one stream holds this append's events, every stream of it does.
            const earlier = await Promise.all(pending.item.map((append) => this.earlierAppend(append)));
            if (earlier.every((result) => result !== undefined)) pending.resolve(earlier as AppendResult[]);
            else pending.reject(conflict);
          }
          remaining = remaining.filter((_, i) => !refused.has(i));
          continue;
        }
        if (remaining.length > 1 && error instanceof pg.DatabaseError) {
          // Each alone answers its own caller, whatever the others meet.
          await Promise.all(remaining.map((pending) => this.writeGroup([pending]).catch((alone: unknown) => pending.reject(alone))));
          return;
        }
        throw error;
      }
    }
  }

  /** The statement: every append of `batch` or none. */
  private async insert(batch: readonly PreparedAppend[]): Promise<AppendResult[]> {
    const { rows } = await this.query<AppendedRow>({
      name: `${this.schema}.append`, // prepared once per connection: the hot path
      text: this.appendSql,
      values: [
        batch.map((append) => append.streamName),
        batch.map((append) => append.category),
        batch.map((append) => append.code),
        batch.flatMap((append, i) => append.types.map(() => i + 1)),
        batch.flatMap((append) => append.types.map((_, n) => n + 1)),
        batch.flatMap((append) => append.ids),
        batch.flatMap((append) => append.types),
        batch.flatMap((append) => append.data),
        batch.flatMap((append) => append.metadata),
      ],
    });
    if (rows.length === 0) throw new StreamsNotAsExpected();
    const last = new Map<string, (typeof rows)[number]>();
    for (const row of rows) {
      const seen = last.get(row.stream_name);
      if (!seen || Number(seen.stream_revision) < Number(row.stream_revision)) last.set(row.stream_name, row);
    }
    this.handOff(batch, rows);
    for (const category of new Set(batch.map((append) => append.category))) this.notifier.appended(category);
    return batch.map((append) => {
      const row = last.get(append.streamName)!;
      return {
        nextExpectedRevision: Number(row.stream_revision),
        position: { commit: Number(row.commit_position), prepare: Number(row.global_position) },
      };
    });
  }

  /**
   * Which appends of a batch the statement's failure refuses, by index: streams not as
   * expected, or whose next revision another writer took. An empty map: nothing is
   * refused, try again (`'any'` or `'stream-exists'` raced a writer). `undefined`: the
   * failure is not about expectations.
   */
  private async refusals(batch: readonly PreparedAppend[], error: unknown, attempt: number): Promise<Map<number, WrongExpectedVersion> | undefined> {
    const refused = new Map<number, WrongExpectedVersion>();
    if (error instanceof StreamsNotAsExpected) {
      const actual = await this.currentRevisions(batch.map((append) => append.streamName));
      batch.forEach((append, i) => {
        const revision = actual.get(append.streamName) ?? -1;
        if (!satisfies(append.code, revision) || attempt >= 100) refused.set(i, conflict(append.streamName, append.expected, revision));
      });
      return refused;
    }
    if (!isRevisionTaken(error)) return undefined;
    const detail = String((error as { detail?: unknown }).detail ?? '');
    const i = Math.max(0, batch.findIndex((append) => detail.includes(`(${append.streamName},`)));
    const taken = batch[i]!;
    if (typeof taken.expected === 'number' || taken.expected === 'no-stream' || attempt >= 100) {
      refused.set(i, conflict(taken.streamName, taken.expected, await this.currentRevision(taken.streamName)));
    }
    return refused;
  }

  /**
   * The result of an earlier append of these very events (the same event ids at the
   * revisions the expectation names), or `undefined`. An append sent again after an
   * unknown outcome (the connection broke during the commit) is answered as that earlier
   * success instead of a conflict. Asked only of a refused append, so the statement of
   * every other append stays as it was; an exact revision or `'no-stream'` names where
   * the events must be, one lookup on the (stream, revision) index. `'any'` and
   * `'stream-exists'` name no place: sent again, they append again.
   */
  private async earlierAppend(append: PreparedAppend): Promise<AppendResult | undefined> {
    if (typeof append.expected !== 'number' && append.expected !== 'no-stream') return undefined;
    const from = append.expected === 'no-stream' ? 0 : append.expected + 1;
    const { rows } = await this.query<{ commit_position: string; global_position: string; stream_revision: string; event_id: string }>(
      `SELECT transaction_id::text AS commit_position, global_position, stream_revision, event_id FROM ${this.schema}.events
       WHERE stream_name = $1 AND stream_revision >= $2 AND stream_revision < $2 + $3
       ORDER BY stream_revision`,
      [append.streamName, from, append.ids.length],
    );
    if (rows.length !== append.ids.length || rows.some((row, n) => row.event_id !== append.ids[n])) return undefined;
    const last = rows[rows.length - 1]!;
    return { nextExpectedRevision: Number(last.stream_revision), position: { commit: Number(last.commit_position), prepare: Number(last.global_position) } };
  }

  async readStream<E extends Event = Event>(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent<E>[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE stream_name = $1 AND stream_revision ${backwards ? '<=' : '>='} $2
       ORDER BY stream_revision ${backwards ? 'DESC' : 'ASC'}
       LIMIT $3`,
      [streamName, from, options.maxCount ?? null],
    );
    return rows.map((row) => toRecorded<E>(row));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (options.categories?.length === 0) return [];
    const params: unknown[] = [];
    const { rows } = await this.query<EventRow>(this.pageOfLog(options, params), params);
    return rows.map((row) => toRecorded(row));
  }

  /** One page of the log after `options.after`, in log order; its parameters are pushed onto `params`. */
  private pageOfLog(options: ReadAllOptions, params: unknown[]): string {
    const after = options.after ?? START;
    params.push(String(after.commit), after.prepare, options.maxCount ?? 1000);
    const page = (byCategory = '') =>
      `SELECT ${COLUMNS}, transaction_id AS log_order FROM ${this.schema}.events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) ${byCategory}
       ORDER BY transaction_id, global_position
       LIMIT $3`;
    // One ordered index scan per category, merged: `category = ANY(…)` would make the
    // planner collect every later event of the categories and sort them, for each page.
    return options.categories
      ? `SELECT * FROM (${options.categories.map((category) => `(${page(`AND category = $${params.push(category)}`)})`).join(' UNION ALL ')}) merged
         ORDER BY log_order, global_position LIMIT $3`
      : page();
  }

  async readByCorrelation(correlationId: string, options: ReadCorrelationOptions = {}): Promise<RecordedEvent[]> {
    // The expression is the index's (migration 0005), as it must be for the planner to use it.
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE (metadata ->> 'correlationId') = $1
       ORDER BY transaction_id, global_position
       LIMIT $2`,
      [correlationId, options.maxCount ?? null],
    );
    return rows.map((row) => toRecorded(row));
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    const { rows } = await this.query<{ commit_position: string; global_position: string }>(
      `SELECT transaction_id::text AS commit_position, global_position FROM ${this.schema}.events
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0] && { commit: Number(rows[0].commit_position), prepare: Number(rows[0].global_position) };
  }

  private async currentRevision(streamName: string): Promise<number> {
    const { rows } = await this.query<{ revision: string }>(
      `SELECT coalesce(max(stream_revision), -1) AS revision FROM ${this.schema}.events WHERE stream_name = $1`,
      [streamName],
    );
    return Number(rows[0]!.revision);
  }

  private async currentRevisions(streamNames: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.query<{ stream_name: string; revision: string }>(
      `SELECT stream_name, max(stream_revision) AS revision FROM ${this.schema}.events WHERE stream_name = ANY($1) GROUP BY stream_name`,
      [streamNames],
    );
    return new Map(rows.map((row) => [row.stream_name, Number(row.revision)]));
  }

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const subscription = new PollingSubscription(this, options, handler, this.pollIntervalMs);
    this.subscriptions.add(subscription);
    void this.notifier.listen();
    void subscription.closed.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.notifier.close();
  }

  /**
   * Gives this process's subscribers the events a statement appended, after its commit,
   * with the log's last position before them: a subscriber there takes them as they are,
   * without reading them back (docs/adr/0019).
   */
  private handOff(batch: readonly PreparedAppend[], rows: readonly AppendedRow[]): void {
    if (this.subscriptions.size === 0) return;
    const head = rows[0]!.log_head;
    if (!head) {
      // Not told (the table's trigger is older than this code): they read.
      this.wakeSubscribers(undefined);
      return;
    }
    const [commit, prepare] = head.split('/');
    const previous = { commit: Number(commit), prepare: Number(prepare) };
    const appends = new Map(batch.map((append) => [append.streamName, append]));
    /** Each stream's first appended revision: an event's place in its append is its revision less that. */
    const first = new Map<string, number>();
    for (const row of rows) if (!first.has(row.stream_name)) first.set(row.stream_name, Number(row.stream_revision));
    const events = rows.map((row) => {
      const append = appends.get(row.stream_name)!;
      const n = Number(row.stream_revision) - first.get(row.stream_name)!;
      return toRecorded({ ...row, event_type: append.types[n]!, data: JSON.parse(append.data[n]!), metadata: JSON.parse(append.metadata[n]!) });
    });
    for (const subscription of this.subscriptions) subscription.handOff(events, previous);
  }

  /** Wakes the subscribers that read any of these categories (all of them when unknown). */
  private wakeSubscribers(categories: readonly string[] | undefined): void {
    for (const subscription of this.subscriptions) subscription.wake(categories);
  }

  /**
   * Not `pool.query`: that discards the connection on any error, and a unique violation
   * (a concurrency conflict, routine under contention) would cost a reconnect and the
   * re-preparing of the append statement. A connection that answered an error is healthy;
   * only one that failed or was terminated goes back to the pool as broken.
   */
  private query<R extends pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return unavailableOnConnectionFailure(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        // Every statement of the store runs per append or per read of the log: prepared once per connection.
        return await client.query<R>(typeof sql === 'string' ? namedQuery(sql, params ?? []) : sql);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError && error.severity !== 'FATAL' && error.severity !== 'PANIC')) {
          broken = error as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }
}

const START: GlobalPosition = { commit: 0, prepare: 0 };

/** An expectation of the statement was not met, so it wrote no row: which one, a read tells. */
class StreamsNotAsExpected extends Error {
  constructor() {
    super('A stream is not as expected.');
  }
}

/** One stream's append, ready for the statement: its expectation coded, its events serialised. */
interface PreparedAppend {
  readonly streamName: string;
  readonly category: string;
  readonly expected: ExpectedRevision;
  readonly code: number;
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly data: readonly string[];
  readonly metadata: readonly string[];
}

/** Throws for an expectation or an event that cannot be written, before anything is sent. */
function prepared({ streamName, events, expected }: StreamAppend): PreparedAppend {
  const json = events.map((event) => eventJson(streamName, event));
  return {
    streamName,
    category: categoryOf(streamName),
    expected,
    code: expectedCode(expected),
    ids: events.map((event) => event.metadata.messageId),
    types: events.map((event) => event.type),
    data: json.map((event) => event.data),
    metadata: json.map((event) => event.metadata),
  };
}

/**
 * One statement appends to several streams, all events or none; the unique (stream,
 * revision) index is the concurrency check. Per stream ($1 names, $2 categories): $3 the
 * expected revision, or -1 no stream, -2 any, -3 stream exists. Per event: $4 its stream
 * (1-based), $5 its place in that stream's append (1-based), then id, type, data and
 * metadata. An exact revision must exist, else no row at all is written; a revision
 * already taken by another writer fails the whole statement with a unique violation.
 */
function appendSql(schema: string): string {
  return `
    WITH streams AS (
      SELECT s.i, s.stream_name, s.category, s.code,
             CASE WHEN s.code >= -1 THEN s.code
                  ELSE (SELECT coalesce(max(x.stream_revision), -1) FROM ${schema}.events x WHERE x.stream_name = s.stream_name) END AS revision
      FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS s(stream_name, category, code, i)
    ), ready AS (
      SELECT * FROM streams
      WHERE CASE WHEN streams.revision = -1 THEN streams.code <> -3
                 ELSE EXISTS (SELECT 1 FROM ${schema}.events x WHERE x.stream_name = streams.stream_name AND x.stream_revision = streams.revision) END
    )
    INSERT INTO ${schema}.events (stream_name, stream_revision, category, event_id, event_type, data, metadata)
    SELECT ready.stream_name, ready.revision + e.n, ready.category, e.id, e.type, e.data::jsonb, e.metadata::jsonb
    FROM unnest($4::bigint[], $5::bigint[], $6::uuid[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS e(stream, n, id, type, data, metadata, k)
    JOIN ready ON ready.i = e.stream
    WHERE (SELECT count(*) FROM ready) = cardinality($1::text[])
    ORDER BY e.k
    RETURNING transaction_id::text AS commit_position, global_position, stream_name, stream_revision, recorded_at,
              current_setting('agora.log_head', true) AS log_head`;
}

function satisfies(code: number, actual: number): boolean {
  return code === EXPECTED_CODES.any || code === actual || (code === EXPECTED_CODES['stream-exists'] && actual >= 0);
}

function conflict(streamName: string, expected: ExpectedRevision, actual: number): WrongExpectedVersion {
  return new WrongExpectedVersion(streamName, expected, actual === -1 ? 'no-stream' : actual);
}

function isRevisionTaken(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' && constraint.endsWith('stream_name_stream_revision_key');
}

function expectedCode(expected: ExpectedRevision): number {
  if (typeof expected === 'string') return EXPECTED_CODES[expected];
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`Expected revision must be a non-negative integer, 'no-stream', 'stream-exists' or 'any' (got ${expected}).`);
  }
  return expected;
}

function toRecorded<E extends Event>(row: EventRow): RecordedEvent<E> {
  return {
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    position: { commit: Number(row.commit_position), prepare: Number(row.global_position) },
    recordedAt: row.recorded_at,
  } as RecordedEvent<E>;
}

/** Server gone, refused, reset or restarting: the caller may retry later. */
export function isConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code)) return true;
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  }
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

async function unavailableOnConnectionFailure<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw new EventStoreUnavailable(`PostgreSQL event store unreachable: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

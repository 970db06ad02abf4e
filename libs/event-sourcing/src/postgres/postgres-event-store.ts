import pg from 'pg';
import type { Event, GlobalPosition, NewEvent, RecordedEvent } from '../event.js';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { EventStoreUnavailable, WrongExpectedVersion } from '../errors.js';
import { categoryOf } from '../stream-name.js';
import { migrateEventStore, quotedSchema } from './schema.js';
import { AppendNotifier } from './append-notifier.js';
import { PollingSubscription } from './polling-subscription.js';

export interface PostgresEventStoreOptions {
  /** Schema that holds the store's tables; one store per schema. Default `event_store`. */
  readonly schema?: string;
  /** Longest a subscriber waits for new events when no notification arrives. Default 1000 ms. */
  readonly pollIntervalMs?: number;
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
/** Transactions older than this one have all ended: their events can no longer appear out of order. */
const HORIZON = '(SELECT pg_snapshot_xmin(pg_current_snapshot()))';
const VISIBLE = `transaction_id < ${HORIZON}`;
const EXPECTED_CODES = { 'no-stream': -1, any: -2, 'stream-exists': -3 } as const;

/**
 * The `EventStore` port on plain PostgreSQL (`pg`, no ORM). An append is one prepared
 * statement, checked by the unique (stream, revision) index; the global log is ordered by (transaction id, sequence) and read only
 * up to the oldest running transaction, so no subscriber ever skips a late commit
 * (docs/adr/0002). Subscribers wake on LISTEN/NOTIFY and fall back to polling.
 */
export class PostgresEventStore implements EventStore {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly notifier: AppendNotifier;
  private readonly subscriptions = new Set<PollingSubscription>();

  private readonly appendSql: string;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.schema = quotedSchema(options.schema ?? 'event_store');
    this.appendSql = appendSql(this.schema);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.notifier = new AppendNotifier(pool, `${options.schema ?? 'event_store'}_appended`, (categories) => this.wakeSubscribers(categories));
  }

  /** Creates or updates the store's tables; idempotent and safe from several processes at once. */
  async migrate(): Promise<void> {
    await unavailableOnConnectionFailure(() => migrateEventStore(this.pool, this.schema.slice(1, -1)));
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const code = expectedCode(expected);
    if (events.length === 0) {
      const actual = await this.currentRevision(streamName);
      if (!satisfies(code, actual)) throw conflict(streamName, expected, actual);
      return { nextExpectedRevision: actual, position: (await this.headPosition()) ?? START };
    }
    const values = this.appendValues(streamName, code, events);
    // 'any' and 'stream-exists' take the revision they find; a writer that took the same
    // one first makes the unique index refuse us, and we simply look again.
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.query<{ commit_position: string; global_position: string; stream_revision: string }>({
          name: `${this.schema}.append`, // prepared once per connection: the hot path
          text: this.appendSql,
          values,
        });
        const last = rows[rows.length - 1];
        if (!last) throw conflict(streamName, expected, await this.currentRevision(streamName));
        const category = categoryOf(streamName);
        this.wakeSubscribers([category]);
        this.notifier.appended(category);
        return {
          nextExpectedRevision: Number(last.stream_revision),
          position: { commit: Number(last.commit_position), prepare: Number(last.global_position) },
        };
      } catch (error) {
        if (!isRevisionTaken(error)) throw error;
        if (typeof expected === 'number' || expected === 'no-stream' || attempt >= 100) {
          throw conflict(streamName, expected, await this.currentRevision(streamName));
        }
      }
    }
  }

  /**
   * One transaction, one prepared append per stream, one commit. A stream that is not as
   * expected rolls everything back; `'any'` and `'stream-exists'` that meet a concurrent
   * writer try the whole transaction again (a unique violation aborts it).
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const nonEmpty = appends.filter((append) => append.events.length > 0);
    if (nonEmpty.length !== appends.length) {
      throw new RangeError('appendToStreams takes streams with at least one event each (check an expectation alone with appendToStream).');
    }
    const codes = appends.map((append) => expectedCode(append.expected));
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await this.withClient(async (client) => {
          try {
            await client.query('BEGIN');
            const results: AppendResult[] = [];
            for (const [i, append] of appends.entries()) {
              const { rows } = await client.query<{ commit_position: string; global_position: string; stream_revision: string }>({
                name: `${this.schema}.append`,
                text: this.appendSql,
                values: this.appendValues(append.streamName, codes[i]!, append.events),
              });
              const last = rows[rows.length - 1];
              if (!last) throw new StreamNotAsExpected(i);
              results.push({ nextExpectedRevision: Number(last.stream_revision), position: { commit: Number(last.commit_position), prepare: Number(last.global_position) } });
            }
            await client.query('COMMIT');
            return results;
          } catch (error) {
            // A connection whose rollback fails is broken: that failure is what withClient sees.
            await client.query('ROLLBACK');
            throw error;
          }
        });
        const categories = [...new Set(appends.map((append) => categoryOf(append.streamName)))];
        this.wakeSubscribers(categories);
        for (const category of categories) this.notifier.appended(category);
        return results;
      } catch (error) {
        const failed = error instanceof StreamNotAsExpected ? appends[error.index]! : isRevisionTaken(error) ? this.takenBy(appends, error) : undefined;
        if (!failed) throw error;
        if (typeof failed.expected === 'number' || failed.expected === 'no-stream' || attempt >= 100) {
          throw conflict(failed.streamName, failed.expected, await this.currentRevision(failed.streamName));
        }
      }
    }
  }

  /** Which of the appends a unique violation was about: its detail names the stream. */
  private takenBy(appends: readonly StreamAppend[], error: unknown): StreamAppend | undefined {
    const detail = String((error as { detail?: unknown }).detail ?? '');
    return appends.find((append) => detail.includes(`(${append.streamName},`)) ?? appends[0];
  }

  private appendValues(streamName: string, code: number, events: readonly NewEvent[]): unknown[] {
    return [
      streamName,
      code,
      categoryOf(streamName),
      events.map((event) => event.metadata.messageId),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => JSON.stringify(event.metadata)),
    ];
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
    const after = options.after ?? START;
    const params: unknown[] = [String(after.commit), after.prepare, options.maxCount ?? 1000];
    const page = (byCategory = '') =>
      `SELECT ${COLUMNS}, transaction_id AS log_order FROM ${this.schema}.events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${VISIBLE} ${byCategory}
       ORDER BY transaction_id, global_position
       LIMIT $3`;
    // One ordered index scan per category, merged: `category = ANY(…)` would make the
    // planner collect every later event of the categories and sort them, for each page.
    const sql = options.categories
      ? `SELECT * FROM (${options.categories.map((category) => `(${page(`AND category = $${params.push(category)}`)})`).join(' UNION ALL ')}) merged
         ORDER BY log_order, global_position LIMIT $3`
      : page();
    const { rows } = await this.query<EventRow>(sql, params);
    return rows.map((row) => toRecorded(row));
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    const { rows } = await this.query<{ commit_position: string; global_position: string }>(
      `SELECT transaction_id::text AS commit_position, global_position FROM ${this.schema}.events
       WHERE ${VISIBLE} ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
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

  /** Whether committed events wait behind a transaction that is still running. */
  async hasEventsBeyondVisibility(): Promise<boolean> {
    const { rows } = await this.query<{ waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.schema}.events WHERE transaction_id >= ${HORIZON}) AS waiting`,
    );
    return rows[0]!.waiting;
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
    return this.withClient((client) => client.query<R>(sql, params));
  }

  /** Runs `work` on a pooled connection, which goes back broken only if it failed as a connection (see `query`). */
  private withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return unavailableOnConnectionFailure(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        return await work(client);
      } catch (error) {
        if (!(error instanceof StreamNotAsExpected) && !(error instanceof pg.DatabaseError && error.severity !== 'FATAL' && error.severity !== 'PANIC')) {
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

/** An exact expected revision that was not there: the append at `index` wrote no row. */
class StreamNotAsExpected extends Error {
  constructor(readonly index: number) {
    super('The stream is not at the expected revision.');
  }
}

/**
 * One statement appends all events or none; the unique (stream, revision) index is the
 * concurrency check. $2 is the expected revision, or -1 no stream, -2 any, -3 stream
 * exists. An exact revision must exist (else no row is written); a revision already
 * taken by another writer fails the whole statement with a unique violation.
 */
function appendSql(schema: string): string {
  return `
    WITH base AS (
      SELECT CASE WHEN $2::bigint >= -1 THEN $2::bigint
                  ELSE (SELECT coalesce(max(stream_revision), -1) FROM ${schema}.events WHERE stream_name = $1) END AS revision
    )
    INSERT INTO ${schema}.events (stream_name, stream_revision, category, event_id, event_type, data, metadata)
    SELECT $1, base.revision + e.n, $3, e.id, e.type, e.data::jsonb, e.metadata::jsonb
    FROM base, unnest($4::uuid[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(id, type, data, metadata, n)
    WHERE CASE WHEN base.revision = -1 THEN $2::bigint <> -3
               ELSE EXISTS (SELECT 1 FROM ${schema}.events x WHERE x.stream_name = $1 AND x.stream_revision = base.revision) END
    ORDER BY e.n
    RETURNING transaction_id::text AS commit_position, global_position, stream_revision`;
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

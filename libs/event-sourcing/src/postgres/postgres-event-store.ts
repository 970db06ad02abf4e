import pg from 'pg';
import type { Event, GlobalPosition, NewEvent, RecordedEvent } from '../event.js';
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
const VISIBLE = 'transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))';
const EXPECTED_CODES = { 'no-stream': -1, any: -2, 'stream-exists': -3 } as const;

/**
 * The `EventStore` port on plain PostgreSQL (`pg`, no ORM). Appends are one call of a
 * stored function; the global log is ordered by (transaction id, sequence) and read only
 * up to the oldest running transaction, so no subscriber ever skips a late commit
 * (docs/adr/0002). Subscribers wake on LISTEN/NOTIFY and fall back to polling.
 */
export class PostgresEventStore implements EventStore {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly notifier: AppendNotifier;
  private readonly subscriptions = new Set<PollingSubscription>();

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.schema = quotedSchema(options.schema ?? 'event_store');
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.notifier = new AppendNotifier(pool, `${options.schema ?? 'event_store'}_appended`, () => this.wakeSubscribers());
  }

  /** Creates or updates the store's tables; idempotent and safe from several processes at once. */
  async migrate(): Promise<void> {
    await unavailableOnConnectionFailure(() => migrateEventStore(this.pool, this.schema.slice(1, -1)));
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const payload = JSON.stringify(
      events.map((event) => ({ id: event.metadata.messageId, type: event.type, data: event.data, metadata: event.metadata })),
    );
    const { rows } = await this.query<{ appended: boolean; revision: string; commit_position: string | null; global_position: string | null }>(
      `SELECT appended, revision, transaction_id::text AS commit_position, global_position FROM ${this.schema}.append_to_stream($1, $2, $3, $4)`,
      [streamName, categoryOf(streamName), expectedCode(expected), payload],
    );
    const result = rows[0]!;
    const revision = Number(result.revision);
    if (!result.appended) throw new WrongExpectedVersion(streamName, expected, revision === -1 ? 'no-stream' : revision);
    if (events.length === 0) return { nextExpectedRevision: revision, position: (await this.headPosition()) ?? START };
    this.wakeSubscribers();
    this.notifier.appended();
    return {
      nextExpectedRevision: revision,
      position: { commit: Number(result.commit_position), prepare: Number(result.global_position) },
    };
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
    const after = options.after ?? START;
    const params: unknown[] = [String(after.commit), after.prepare, options.maxCount ?? 1000];
    const byCategory = options.categories ? `AND category = ANY($${params.push(options.categories)})` : '';
    const { rows } = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.schema}.events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${VISIBLE} ${byCategory}
       ORDER BY transaction_id, global_position
       LIMIT $3`,
      params,
    );
    return rows.map((row) => toRecorded(row));
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    const { rows } = await this.query<{ commit_position: string; global_position: string }>(
      `SELECT transaction_id::text AS commit_position, global_position FROM ${this.schema}.events
       WHERE ${VISIBLE} ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0] && { commit: Number(rows[0].commit_position), prepare: Number(rows[0].global_position) };
  }

  /** Whether committed events wait behind a transaction that is still running. */
  async hasEventsBeyondVisibility(): Promise<boolean> {
    const { rows } = await this.query<{ waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.schema}.events WHERE NOT (${VISIBLE})) AS waiting`,
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

  private wakeSubscribers(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    return unavailableOnConnectionFailure(() => this.pool.query<R>(sql, params));
  }
}

const START: GlobalPosition = { commit: 0, prepare: 0 };

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

import type { GlobalPosition, RecordedEvent } from '@agora/event-sourcing';
import pg from 'pg';

/** An event a subscriber set aside: it kept failing, or an earlier event of its stream did. */
export interface ParkedEvent {
  readonly subscriber: string;
  readonly position: GlobalPosition;
  readonly streamName: string;
  readonly revision: number;
  readonly type: string;
  readonly event: RecordedEvent;
  /** Why it was parked: the handler's last error, or the earlier event of the stream it waits behind. */
  readonly error: string;
  /** Tries before it was parked; 0 for an event parked behind an earlier one of its stream. */
  readonly attempts: number;
  readonly parkedAt: Date;
  /** When an operator asked for it to be tried again; the subscriber does so shortly. */
  readonly retryRequestedAt: Date | undefined;
}

/**
 * Where subscribers of the log park the events they cannot apply, so that one bad event
 * stops neither the subscriber nor anyone else: visible (`/health`, `npm run projections
 * -- parked`) and tried again on demand, in log order, once each.
 */
export interface ParkedEvents {
  park(subscriber: string, event: RecordedEvent, error: string, attempts: number): Promise<void>;
  /** Every parked event of the subscriber (of all, without one), in log order. */
  list(subscriber?: string): Promise<ParkedEvent[]>;
  /** Parked events per subscriber. */
  counts(): Promise<Map<string, number>>;
  /** Asks the running subscribers to try their parked events again; answers how many were asked for. */
  requestRetry(subscriber?: string): Promise<number>;
  /** Takes an event off the shelf: it was applied. */
  unpark(subscriber: string, position: GlobalPosition): Promise<void>;
  /** Marks a retried event as tried once more (it failed again). */
  retried(subscriber: string, position: GlobalPosition, error: string): Promise<void>;
}

interface ParkedRow {
  subscriber: string;
  commit_position: string;
  prepare_position: string;
  stream_name: string;
  stream_revision: string;
  event_type: string;
  event: RecordedEvent & { recordedAt: string };
  error: string;
  attempts: number;
  parked_at: Date;
  retry_requested_at: Date | null;
}

/** Parked events in PostgreSQL, table `messaging.parked_events` (`migrateMessaging`). */
export class PostgresParkedEvents implements ParkedEvents {
  constructor(private readonly pool: pg.Pool) {}

  async park(subscriber: string, event: RecordedEvent, error: string, attempts: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO messaging.parked_events
         (subscriber, commit_position, prepare_position, stream_name, stream_revision, event_type, event, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (subscriber, commit_position, prepare_position) DO UPDATE SET error = $8, attempts = $9, parked_at = now()`,
      [subscriber, event.position.commit, event.position.prepare, event.streamName, event.revision, event.type, JSON.stringify(event), error, attempts],
    );
  }

  async list(subscriber?: string): Promise<ParkedEvent[]> {
    const { rows } = await this.pool.query<ParkedRow>(
      `SELECT * FROM messaging.parked_events WHERE $1::text IS NULL OR subscriber = $1
       ORDER BY subscriber, commit_position, prepare_position`,
      [subscriber ?? null],
    );
    return rows.map(toParked);
  }

  async counts(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ subscriber: string; n: number }>(
      'SELECT subscriber, count(*)::int AS n FROM messaging.parked_events GROUP BY subscriber',
    );
    return new Map(rows.map((row) => [row.subscriber, row.n]));
  }

  async requestRetry(subscriber?: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      'UPDATE messaging.parked_events SET retry_requested_at = now() WHERE $1::text IS NULL OR subscriber = $1',
      [subscriber ?? null],
    );
    return rowCount ?? 0;
  }

  async unpark(subscriber: string, position: GlobalPosition): Promise<void> {
    await this.pool.query('DELETE FROM messaging.parked_events WHERE subscriber = $1 AND commit_position = $2 AND prepare_position = $3', [
      subscriber,
      position.commit,
      position.prepare,
    ]);
  }

  async retried(subscriber: string, position: GlobalPosition, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE messaging.parked_events SET error = $4, attempts = attempts + 1, retry_requested_at = NULL
       WHERE subscriber = $1 AND commit_position = $2 AND prepare_position = $3`,
      [subscriber, position.commit, position.prepare, error],
    );
  }
}

function toParked(row: ParkedRow): ParkedEvent {
  const position = { commit: Number(row.commit_position), prepare: Number(row.prepare_position) };
  return {
    subscriber: row.subscriber,
    position,
    streamName: row.stream_name,
    revision: Number(row.stream_revision),
    type: row.event_type,
    // Stored as JSON: the position and the time come back as what they were.
    event: { ...row.event, position, recordedAt: new Date(row.event.recordedAt) },
    error: row.error,
    attempts: row.attempts,
    parkedAt: row.parked_at,
    retryRequestedAt: row.retry_requested_at ?? undefined,
  };
}

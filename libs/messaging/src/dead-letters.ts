import pg from 'pg';

export interface DeadLetter {
  readonly consumer: string;
  readonly message: { type: string; key: string; data: unknown; metadata: unknown };
  readonly error: string;
  readonly attempts: number;
  /** Where it was set aside first, when elsewhere: a `.dlq` record, `<topic>/<partition>/<offset>`. */
  readonly source?: string;
}

/** Messages that could not be processed: set aside, visible, never silently dropped. */
export interface DeadLetters {
  add(letter: DeadLetter): Promise<void>;
}

/** A dead letter as it is kept: with its id and when it failed last. */
export interface StoredDeadLetter extends DeadLetter {
  readonly id: string;
  readonly failedAt: Date;
}

/** How a replay went: the consumer took the message (the letter is gone), or failed again (it stays, with this error). */
export type ReplayOutcome = { readonly replayed: true } | { readonly replayed: false; readonly error: string };

/** Someone is replaying the letter already. */
export class DeadLetterBusy extends Error {
  override readonly name = 'DeadLetterBusy';
  constructor(id: string) {
    super(`Dead letter ${id} is being replayed already.`);
  }
}

interface DeadLetterRow {
  id: string;
  consumer: string;
  message: DeadLetter['message'];
  error: string;
  attempts: number;
  failed_at: Date;
  source: string | null;
}

/** PostgreSQL's "lock_not_available", which `FOR UPDATE NOWAIT` raises for a locked row. */
const LOCK_NOT_AVAILABLE = '55P03';

export const DEAD_LETTERS = Symbol('DeadLetters');

/** Dead letters in PostgreSQL, table `messaging.dead_letters`. */
export class PostgresDeadLetters implements DeadLetters {
  constructor(private readonly pool: pg.Pool) {}

  /** Keeps `letter`; one from a `source` kept already (replayed or not) is not kept again. */
  async add(letter: DeadLetter): Promise<void> {
    const messageId = (letter.message.metadata as { messageId?: unknown } | undefined)?.messageId;
    await this.pool.query(
      `INSERT INTO messaging.dead_letters (consumer, message_id, message_type, message_key, message, error, attempts, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (source) WHERE source IS NOT NULL DO NOTHING`,
      [
        letter.consumer,
        typeof messageId === 'string' ? messageId : null,
        letter.message.type,
        letter.message.key,
        JSON.stringify(letter.message),
        letter.error,
        letter.attempts,
        letter.source ?? null,
      ],
    );
  }

  /** Every dead letter not replayed yet, oldest first. */
  async list(): Promise<StoredDeadLetter[]> {
    const { rows } = await this.pool.query<DeadLetterRow>(
      'SELECT id::text, consumer, message, error, attempts, failed_at, source FROM messaging.dead_letters WHERE replayed_at IS NULL ORDER BY id',
    );
    return rows.map(storedOf);
  }

  /**
   * Hands the letter to `redeliver` (its consumer, once more) under a lock on its row: the
   * letter is marked replayed (and leaves the list) only when the consumer took it, in the
   * same transaction, and stays, with the new error and one more attempt, when it failed
   * again. A crash on the way leaves it as it was. `undefined` for an id there is no letter
   * of, or one replayed already; `DeadLetterBusy` when another replay of it is under way.
   */
  async replay(id: string, redeliver: (letter: StoredDeadLetter) => Promise<void>): Promise<ReplayOutcome | undefined> {
    const client = await this.pool.connect();
    let open = false;
    try {
      await client.query('BEGIN');
      open = true;
      let rows: DeadLetterRow[];
      try {
        ({ rows } = await client.query<DeadLetterRow>(
          'SELECT id::text, consumer, message, error, attempts, failed_at, source FROM messaging.dead_letters WHERE id = $1 AND replayed_at IS NULL FOR UPDATE NOWAIT',
          [id],
        ));
      } catch (error) {
        if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new DeadLetterBusy(id);
        throw error;
      }
      const [row] = rows;
      if (!row) return undefined;
      let outcome: ReplayOutcome;
      try {
        await redeliver(storedOf(row));
        await client.query('UPDATE messaging.dead_letters SET replayed_at = now() WHERE id = $1', [id]);
        outcome = { replayed: true };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await client.query('UPDATE messaging.dead_letters SET error = $2, attempts = attempts + 1, failed_at = now() WHERE id = $1', [id, message]);
        outcome = { replayed: false, error: message };
      }
      await client.query('COMMIT');
      open = false;
      return outcome;
    } finally {
      // Whatever was not committed (an id not found, a lock refused, a failure of the database) is rolled back.
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
}

function storedOf(row: DeadLetterRow): StoredDeadLetter {
  return { id: row.id, consumer: row.consumer, message: row.message, error: row.error, attempts: row.attempts, failedAt: row.failed_at, ...(row.source !== null && { source: row.source }) };
}

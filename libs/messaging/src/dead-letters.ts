import pg from 'pg';

export interface DeadLetter {
  readonly consumer: string;
  readonly message: { type: string; key: string; data: unknown; metadata: unknown };
  readonly error: string;
  readonly attempts: number;
}

/** Messages that could not be processed: set aside, visible, never silently dropped. */
export interface DeadLetters {
  add(letter: DeadLetter): Promise<void>;
}

export const DEAD_LETTERS = Symbol('DeadLetters');

/** Dead letters in PostgreSQL, table `messaging.dead_letters`. */
export class PostgresDeadLetters implements DeadLetters {
  constructor(private readonly pool: pg.Pool) {}

  async add(letter: DeadLetter): Promise<void> {
    const messageId = (letter.message.metadata as { messageId?: unknown } | undefined)?.messageId;
    await this.pool.query(
      `INSERT INTO messaging.dead_letters (consumer, message_id, message_type, message_key, message, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [letter.consumer, typeof messageId === 'string' ? messageId : null, letter.message.type, letter.message.key, JSON.stringify(letter.message), letter.error, letter.attempts],
    );
  }

  async list(): Promise<(DeadLetter & { failedAt: Date })[]> {
    const { rows } = await this.pool.query<{ consumer: string; message: DeadLetter['message']; error: string; attempts: number; failed_at: Date }>(
      'SELECT consumer, message, error, attempts, failed_at FROM messaging.dead_letters ORDER BY id',
    );
    return rows.map((row) => ({ consumer: row.consumer, message: row.message, error: row.error, attempts: row.attempts, failedAt: row.failed_at }));
  }
}

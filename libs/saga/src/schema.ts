import pg from 'pg';

/** Tables of the saga runtime (schema `saga`): pending deadlines and the checkpoint of their projection. */
export async function migrateSagas(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('agora.saga'))");
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS saga;
      CREATE TABLE IF NOT EXISTS saga.deadlines (
        saga_stream    text PRIMARY KEY,
        deadline_id    text NOT NULL,
        name           text NOT NULL,
        due_at         timestamptz NOT NULL,
        correlation_id text NOT NULL
      );
      CREATE INDEX IF NOT EXISTS deadlines_by_due_at ON saga.deadlines (due_at);
      CREATE TABLE IF NOT EXISTS saga.checkpoints (
        name             text PRIMARY KEY,
        commit_position  bigint NOT NULL,
        prepare_position bigint NOT NULL
      );`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

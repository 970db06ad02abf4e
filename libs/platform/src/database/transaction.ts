import pg from 'pg';

/** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs idempotent DDL (`CREATE … IF NOT EXISTS`) while holding a transaction-scoped
 * advisory lock named `lock`, so that hosts starting side by side do not race.
 */
export async function migrateUnderLock(pool: pg.Pool, lock: string, ddl: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lock]);
    await client.query(ddl);
  });
}

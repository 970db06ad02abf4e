import { namedQuery } from '@agora/event-sourcing';
import { runJoined, type BatchStatement } from '@agora/platform';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs batches as one statement (`runJoined`), in `rows`' transaction or as a transaction
 * of its own.
 */
export async function runStatements(dataSource: DataSource, statements: readonly BatchStatement[], rows?: EntityManager): Promise<PromiseSettledResult<void>[]> {
  const own = rows?.queryRunner === undefined;
  const runner = rows?.queryRunner ?? dataSource.createQueryRunner();
  try {
    return await runJoined(statements, async (text, params) => {
      // Once per batch of every projection: prepared once per connection.
      const client = (await runner.connect()) as pg.ClientBase;
      return (await client.query(namedQuery(text, params))).rows[0] as Record<string, unknown>;
    });
  } finally {
    if (own) await runner.release();
  }
}

/** One batch as a statement of its own (in `rows`' transaction, if given): throws where it did not commit. */
export async function runStatement(dataSource: DataSource, statement: BatchStatement, rows?: EntityManager): Promise<void> {
  const [outcome] = await runStatements(dataSource, [statement], rows);
  if (outcome!.status === 'rejected') throw outcome!.reason;
}

import { namedQuery } from '@agora/event-sourcing';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * A runner's batch written by one statement: alone it needs no transaction, and beside
 * other batches it joins theirs in one statement (`runStatements`).
 */
export interface BatchStatement {
  /** Its part of a statement: common table expressions named under `prefix`, parameters from `$first`. */
  part(prefix: string, first: number): StatementPart;
}

export interface StatementPart {
  readonly ctes: readonly string[];
  readonly params: readonly unknown[];
  /** What it selects of its outcome, each aliased under its prefix. */
  readonly columns: readonly string[];
  /** Reads its outcome (the statement's row, or the error that failed it alone): throws where the batch did not commit. */
  settle(outcome: { readonly row: Readonly<Record<string, unknown>> } | { readonly error: unknown }): void;
}

/**
 * Runs batches as one statement, in `rows`' transaction or as a transaction of its own; each
 * batch's outcome is its own (one refused by its checkpoint or its fence leaves the
 * others committed). A statement that fails fails every batch in it: where several
 * shared it, the caller runs them again alone, each to meet only its own failure.
 */
export async function runStatements(dataSource: DataSource, statements: readonly BatchStatement[], rows?: EntityManager): Promise<PromiseSettledResult<void>[]> {
  const parts: StatementPart[] = [];
  const params: unknown[] = [];
  for (const [i, statement] of statements.entries()) {
    const part = statement.part(statements.length > 1 ? `b${i}_` : '', params.length + 1);
    parts.push(part);
    params.push(...part.params);
  }
  const text = `WITH ${parts.flatMap((part) => part.ctes).join(',\n')}\nSELECT ${parts.flatMap((part) => part.columns).join(', ')}`;
  const own = rows?.queryRunner === undefined;
  const runner = rows?.queryRunner ?? dataSource.createQueryRunner();
  let row: Record<string, unknown>;
  try {
    // Once per batch of every projection: prepared once per connection.
    const client = (await runner.connect()) as pg.ClientBase;
    row = (await client.query(namedQuery(text, params))).rows[0] as Record<string, unknown>;
  } catch (error) {
    if (parts.length > 1) throw error;
    return [settle(parts[0]!, { error })];
  } finally {
    if (own) await runner.release();
  }
  return parts.map((part) => settle(part, { row }));
}

function settle(part: StatementPart, outcome: Parameters<StatementPart['settle']>[0]): PromiseSettledResult<void> {
  try {
    part.settle(outcome);
    return { status: 'fulfilled', value: undefined };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/** One batch as a statement of its own (in `rows`' transaction, if given): throws where it did not commit. */
export async function runStatement(dataSource: DataSource, statement: BatchStatement, rows?: EntityManager): Promise<void> {
  const [outcome] = await runStatements(dataSource, [statement], rows);
  if (outcome!.status === 'rejected') throw outcome!.reason;
}

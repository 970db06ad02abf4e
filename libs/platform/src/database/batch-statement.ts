/**
 * A batch of a subscriber's writes (its effects and its checkpoint) as one statement:
 * alone it needs no transaction, and beside other batches handed over at the same time
 * it joins theirs in one statement, one round trip (`runJoined`).
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

/** Where batch statements are run: resolves once the batch committed, rejects where it did not. */
export interface StatementRunner {
  run(statement: BatchStatement): Promise<void>;
}

/**
 * Runs the batches as one statement through `query` (it sends the text with its parameters
 * and answers the statement's row); each batch's outcome is its own (one refused by its
 * checkpoint or its fence leaves the others committed). A statement that fails fails
 * every batch in it: where several shared it, this throws, for the caller to run them
 * again alone, each to meet only its own failure.
 */
export async function runJoined(
  statements: readonly BatchStatement[],
  query: (text: string, params: readonly unknown[]) => Promise<Readonly<Record<string, unknown>>>,
): Promise<PromiseSettledResult<void>[]> {
  const parts: StatementPart[] = [];
  const params: unknown[] = [];
  for (const [i, statement] of statements.entries()) {
    const part = statement.part(statements.length > 1 ? `b${i}_` : '', params.length + 1);
    parts.push(part);
    params.push(...part.params);
  }
  const text = `WITH ${parts.flatMap((part) => part.ctes).join(',\n')}\nSELECT ${parts.flatMap((part) => part.columns).join(', ')}`;
  let row: Readonly<Record<string, unknown>>;
  try {
    row = await query(text, params);
  } catch (error) {
    if (parts.length > 1) throw error;
    return [settle(parts[0]!, { error })];
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

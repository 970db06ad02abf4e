import type { BatchStatement, StatementRunner } from '@agora/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { runStatement, runStatements } from './batch-statement.js';

/** A runner's batch: its statements in a transaction it may share. */
export type TransactionWork = (rows: EntityManager) => Promise<void>;

interface Pending {
  /** A batch of statements of its own, or one that is a single statement. */
  readonly work: TransactionWork | BatchStatement;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Transactions shared by the projections of one process on one database: the batches
 * handed over in one turn of the event loop (the shared log reader feeds every runner at
 * once) go in one transaction, one after the other, and so do those handed over while it
 * runs, in the next. One START TRANSACTION and one COMMIT for the lot instead of one
 * each; every batch keeps its own checkpoint compare-and-set among its rows, so each
 * still commits exactly with its checkpoint. Batches that are each one statement
 * (`BatchStatement`) go together as one statement, with no START or COMMIT; one refused
 * by its checkpoint or its fence leaves the others committed.
 *
 * A failure belongs to one batch (an event it cannot apply, its checkpoint moved by a
 * rebuild), but a failed statement aborts the whole transaction: a shared transaction
 * that fails is taken apart, and each of its batches runs again in a transaction of its
 * own, so only the batch at fault fails, to its own runner, as if it had never shared.
 *
 * Other subscribers that write to the same database hand their batch statements over too
 * (`StatementRunner`: the saga's deadlines).
 */
export class SharedTransactions implements StatementRunner {
  private queue: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in a transaction, with whatever else is handed over meanwhile; resolves once it is committed. */
  run(work: TransactionWork | BatchStatement): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    // The rest of this turn's batches join the transaction.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const group = this.queue;
    this.queue = [];
    this.running = true;
    try {
      await this.commit(group);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async commit(group: readonly Pending[]): Promise<void> {
    if (group.length > 1) {
      try {
        const statements = group.flatMap(({ work }) => (typeof work === 'function' ? [] : [work]));
        if (statements.length === group.length) {
          settle(group, await runStatements(this.dataSource, statements));
        } else {
          await this.dataSource.transaction(async (rows) => {
            for (const { work } of group) await (typeof work === 'function' ? work(rows) : runStatement(this.dataSource, work, rows));
          });
          for (const pending of group) pending.resolve();
        }
        return;
      } catch {
        // Taken apart below: each batch meets only its own failure.
      }
    }
    await Promise.all(
      group.map(({ work, resolve, reject }) =>
        (typeof work === 'function' ? this.dataSource.transaction(work) : runStatement(this.dataSource, work)).then(resolve, reject),
      ),
    );
  }
}

function settle(group: readonly Pending[], outcomes: readonly PromiseSettledResult<void>[]): void {
  for (const [i, pending] of group.entries()) {
    const outcome = outcomes[i]!;
    if (outcome.status === 'fulfilled') pending.resolve();
    else pending.reject(outcome.reason);
  }
}

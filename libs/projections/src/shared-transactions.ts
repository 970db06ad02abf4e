import type { DataSource, EntityManager } from 'typeorm';

/** A runner's batch: its statements in a transaction it may share. */
export type TransactionWork = (rows: EntityManager) => Promise<void>;

interface Pending {
  readonly work: TransactionWork;
  readonly alone: (() => Promise<void>) | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Transactions shared by the projections of one process on one database: the batches
 * handed over in one turn of the event loop (the shared log reader feeds every runner at
 * once) go in one transaction, one after the other, and so do those handed over while it
 * runs, in the next. One START TRANSACTION and one COMMIT for the lot instead of one
 * each; every batch keeps its own checkpoint compare-and-set among its rows, so each
 * still commits exactly with its checkpoint.
 *
 * A failure belongs to one batch (an event it cannot apply, its checkpoint moved by a
 * rebuild), but a failed statement aborts the whole transaction: a shared transaction
 * that fails is taken apart, and each of its batches runs again in a transaction of its
 * own, so only the batch at fault fails, to its own runner, as if it had never shared.
 */
export class SharedTransactions {
  private queue: Pending[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction, with whatever else is handed over meanwhile; resolves once
   * it is committed. `alone` is how it runs when nothing shares its transaction, where that
   * needs none (a single statement); a transaction of its own otherwise.
   */
  run(work: TransactionWork, alone?: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ work, alone, resolve, reject });
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
        await this.dataSource.transaction(async (rows) => {
          for (const { work } of group) await work(rows);
        });
        for (const pending of group) pending.resolve();
        return;
      } catch {
        // Taken apart below: each batch meets only its own failure.
      }
    }
    await Promise.all(
      group.map((pending) => (pending.alone ? pending.alone() : this.dataSource.transaction(pending.work)).then(pending.resolve, pending.reject)),
    );
  }
}

import { AsyncResource } from 'node:async_hooks';

/** One submitted item and how to answer its submitter. */
export interface Pending<Item, Result> {
  readonly item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** A pending item as queued: with a way back into its submitter's async context. */
interface Queued<Item, Result> extends Pending<Item, Result> {
  readonly inContext: <T>(work: () => T) => T;
}

/** Runs `work`; bound with `AsyncResource.bind`, it runs it in the context of whoever bound it. */
function inCallersContext<T>(work: () => T): T {
  return work();
}

export interface GroupCommitOptions<Item> {
  /** Batches being written at once; more items wait and go together in the next. */
  readonly maxInFlight: number;
  /** Most items in one batch. */
  readonly maxBatch: number;
  /** Items that share a key never share a batch, nor overtake each other. An item may have several keys. */
  readonly keysOf: (item: Item) => readonly string[];
}

/**
 * Natural batching, as databases do group commit: an item submitted while fewer than
 * `maxInFlight` batches are being written goes at once, alone; items submitted while
 * the writer is busy wait and go together in the next batch. An idle system pays no
 * delay, a busy one pays one write for many items.
 *
 * `write` answers every item of its batch itself (`resolve` or `reject` each one), so a
 * batch can succeed for some items and fail for others. Should it throw, every item
 * it left unanswered is rejected with that error.
 *
 * A batch is written in the async context of its first item's submitter (its trace, its
 * log fields), not in that of the batch before it, which started it: otherwise, under
 * steady load, every batch would be written in the context of the first one ever, and a
 * single request's trace would gather the writes of everyone after it.
 */
export class GroupCommit<Item, Result> {
  private queue: Queued<Item, Result>[] = [];
  private inFlight = 0;
  /** Keys of the items being written now: their successors wait for the next batch. */
  private readonly busy = new Set<string>();

  constructor(
    private readonly write: (batch: readonly Pending<Item, Result>[]) => Promise<void>,
    private readonly options: GroupCommitOptions<Item>,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject, inContext: AsyncResource.bind(inCallersContext) });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch: Queued<Item, Result>[] = [];
      const waiting: Queued<Item, Result>[] = [];
      const keys = new Set<string>();
      for (const pending of this.queue) {
        const itemKeys = this.options.keysOf(pending.item);
        // A key met once, taken or not, holds back its later items: they keep their order.
        if (batch.length < this.options.maxBatch && itemKeys.every((key) => !keys.has(key) && !this.busy.has(key))) batch.push(pending);
        else waiting.push(pending);
        for (const key of itemKeys) keys.add(key);
      }
      if (batch.length === 0) return;
      this.queue = waiting;
      const taken = batch.flatMap((pending) => this.options.keysOf(pending.item));
      for (const key of taken) this.busy.add(key);
      this.inFlight++;
      void batch[0]!.inContext(() => this.run(batch)).finally(() => {
        this.inFlight--;
        for (const key of taken) this.busy.delete(key);
        this.drain();
      });
    }
  }

  private async run(batch: readonly Pending<Item, Result>[]): Promise<void> {
    const answered = new Set<Pending<Item, Result>>();
    const tracked = batch.map((pending) => ({
      item: pending.item,
      resolve: (result: Result) => {
        answered.add(pending);
        pending.resolve(result);
      },
      reject: (error: unknown) => {
        answered.add(pending);
        pending.reject(error);
      },
    }));
    let failure: unknown;
    try {
      await this.write(tracked);
      failure = new Error('The batch writer left an item unanswered.');
    } catch (error) {
      failure = error;
    }
    for (const pending of batch) if (!answered.has(pending)) pending.reject(failure);
  }
}

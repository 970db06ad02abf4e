import { setTimeout as sleep } from 'node:timers/promises';
import type { GlobalPosition, RecordedEvent } from '../event.js';
import type { BatchHandler, ReadAllOptions, SubscribeOptions, Subscription } from '../event-store.js';

interface LogReader {
  /** The next page, and whether committed events wait behind a running transaction. */
  readTail(options: ReadAllOptions): Promise<{ events: RecordedEvent[]; waiting: boolean }>;
}

const FIRST_RETRY_MS = 2;
/**
 * Longest wait for events held back by a running transaction. Transactions here last
 * milliseconds (every append, checkpoint and projection batch is one); waiting up to the
 * poll interval would add that much latency to every hop under load.
 */
const MAX_RETRY_MS = 50;

/**
 * Reads the global log page by page from its checkpoint; when it has caught up it sleeps
 * until woken (a notification or a local append) or until the poll interval passes.
 * Events committed behind a still-running transaction are not visible yet: then it looks
 * again soon, backing off, since no notification announces that a transaction ended.
 */
export class PollingSubscription implements Subscription {
  readonly closed: Promise<void>;
  private stopped = false;
  private woken = false;
  private interrupt: AbortController | undefined;

  constructor(
    private readonly log: LogReader,
    private readonly options: SubscribeOptions,
    private readonly handler: BatchHandler,
    private readonly pollIntervalMs: number,
  ) {
    this.closed = this.run();
  }

  /** New events in these categories (any, when `undefined`): read again if they concern us. */
  wake(categories?: readonly string[]): void {
    const wanted = this.options.categories;
    if (categories && wanted && !categories.some((category) => wanted.includes(category))) return;
    this.woken = true;
    this.interrupt?.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.abort();
    await this.closed.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let after: GlobalPosition | undefined = this.options.after;
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      this.woken = false;
      const { events: batch, waiting } = await this.log.readTail({ after, categories: this.options.categories, maxCount: this.options.maxBatchSize ?? 1000 });
      if (this.stopped) return;
      if (batch.length > 0) {
        await this.handler(batch);
        after = batch[batch.length - 1]!.position;
        retryMs = FIRST_RETRY_MS;
        continue;
      }
      if (this.woken) {
        retryMs = FIRST_RETRY_MS;
        continue;
      }
      if (waiting) {
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS, this.pollIntervalMs);
      } else {
        await this.pause(this.pollIntervalMs);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.woken || this.stopped) return;
    this.interrupt = new AbortController();
    await sleep(ms, undefined, { signal: this.interrupt.signal }).catch(() => undefined);
    this.interrupt = undefined;
  }
}

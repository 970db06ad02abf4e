import type { GlobalPosition, RecordedEvent } from '../event.js';
import type { BatchHandler, ReadAllOptions, SubscribeOptions, Subscription } from '../event-store.js';

interface LogReader {
  /** The next page of the log: every committed event after `options.after` (docs/adr/0019). */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
}

/**
 * Reads the global log page by page from its checkpoint; when it has caught up it sleeps
 * until woken (a notification or a local append) or until the poll interval passes.
 *
 * A page shorter than asked for is the end of the log as the read saw it, and a read sees
 * every event committed before it began (docs/adr/0019). An event committed later wakes
 * the subscription (after its commit), and a wake that came while the read or the
 * handler ran is kept: so after a short page the subscription reads again only when woken
 * since the read began, never just in case.
 */
export class PollingSubscription implements Subscription {
  readonly closed: Promise<void>;
  private stopped = false;
  private woken = false;
  /** Ends the pause under way, if any. */
  private interrupt: (() => void) | undefined;

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
    this.interrupt?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.closed.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let after: GlobalPosition | undefined = this.options.after;
    const maxCount = this.options.maxBatchSize ?? 1000;
    while (!this.stopped) {
      this.woken = false;
      const batch = await this.log.readAll({ after, categories: this.options.categories, maxCount });
      if (this.stopped) return;
      if (batch.length > 0) {
        await this.handler(batch);
        after = batch[batch.length - 1]!.position;
        if (batch.length >= maxCount) continue; // a full page: more may follow at once
      }
      await this.pause(this.pollIntervalMs);
    }
  }

  /** A plain timer: a wake per append must not cost an abort signal and its error. */
  private async pause(ms: number): Promise<void> {
    if (this.woken || this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.interrupt?.(), ms);
      this.interrupt = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        resolve();
      };
    });
  }
}

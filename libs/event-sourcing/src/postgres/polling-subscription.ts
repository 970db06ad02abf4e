import { comparePositions, type GlobalPosition, type RecordedEvent } from '../event.js';
import type { BatchHandler, ReadAllOptions, SubscribeOptions, Subscription } from '../event-store.js';
import { categoryOf } from '../stream-name.js';

interface LogReader {
  /** The next page of the log: every committed event after `options.after` (docs/adr/0019). */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
}

/** Events a writer of this process committed, and the log's last position before them. */
interface HandedOff {
  readonly events: readonly RecordedEvent[];
  readonly previous: GlobalPosition;
}

const START: GlobalPosition = { commit: 0, prepare: 0 };

/**
 * Reads the global log page by page from its checkpoint; when it has caught up it sleeps
 * until woken (a notification or a local append) or until the poll interval passes.
 *
 * A page shorter than asked for is the end of the log as the read saw it, and a read sees
 * every event committed before it began (docs/adr/0019). An event committed later wakes
 * the subscription (after its commit), and a wake that came while the read or the
 * handler ran is kept: so after a short page the subscription reads again only when woken
 * since the read began, never just in case.
 *
 * The events of this process's own appends are handed to it after their commit with the
 * log's last position before them (`handOff`). Where that is the subscription's own
 * position, nothing can lie between, and it takes them without reading them back; where
 * it is not (another process appended in between, or the subscription is elsewhere), the
 * hand-off only wakes it, and it reads.
 */
export class PollingSubscription implements Subscription {
  readonly closed: Promise<void>;
  private stopped = false;
  private woken = false;
  /** Hand-offs not taken yet, in the order their appends returned. */
  private handedOff: HandedOff[] = [];
  private handedOffEvents = 0;
  /** Ends the pause under way, if any. */
  private interrupt: (() => void) | undefined;
  private readonly maxCount: number;

  constructor(
    private readonly log: LogReader,
    private readonly options: SubscribeOptions,
    private readonly handler: BatchHandler,
    private readonly pollIntervalMs: number,
  ) {
    this.maxCount = options.maxBatchSize ?? 1000;
    this.closed = this.run();
  }

  /** New events in these categories (any, when `undefined`): read again if they concern us. */
  wake(categories?: readonly string[]): void {
    const wanted = this.options.categories;
    if (categories && wanted && !categories.some((category) => wanted.includes(category))) return;
    this.woken = true;
    this.interrupt?.();
  }

  /**
   * Committed events, in log order, that follow `previous` in the log (position 0/0:
   * they begin it). Held until the subscription is free; more than a page of them
   * waiting is dropped for a read, so a slow handler never makes them pile up.
   */
  handOff(events: readonly RecordedEvent[], previous: GlobalPosition): void {
    if (events.length === 0 || this.stopped) return;
    this.handedOff.push({ events, previous });
    this.handedOffEvents += events.length;
    if (this.handedOffEvents > this.maxCount) {
      this.handedOff = [];
      this.handedOffEvents = 0;
      this.woken = true;
    }
    this.interrupt?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.interrupt?.();
    await this.closed.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let after: GlobalPosition | undefined = this.options.after;
    let read = true;
    while (!this.stopped) {
      if (read) {
        this.woken = false;
        const batch = await this.log.readAll({ after, categories: this.options.categories, maxCount: this.maxCount });
        if (this.stopped) return;
        if (batch.length > 0) {
          await this.handler(batch);
          after = batch[batch.length - 1]!.position;
          if (batch.length >= this.maxCount) continue; // a full page: more may follow at once
        }
        read = false;
      }
      const next = this.takeHandedOff(after);
      if (next) {
        if (next.events.length > 0) await this.handler(next.events);
        after = next.through;
        continue;
      }
      if (this.woken) {
        read = true;
        continue;
      }
      read = !(await this.pause(this.pollIntervalMs));
    }
  }

  /**
   * The handed-off events right after `after` (a page at most, those of our categories),
   * and the position they take the subscription to. Hand-offs already read are dropped; one
   * that does not follow on wakes the subscription to read instead.
   */
  private takeHandedOff(after: GlobalPosition | undefined): { events: RecordedEvent[]; through: GlobalPosition } | undefined {
    const at = after ?? START;
    while (this.handedOff.length > 0) {
      const first = this.handedOff[0]!;
      const last = first.events[first.events.length - 1]!.position;
      if (comparePositions(last, at) <= 0) {
        this.dropFirst(); // read already
        continue;
      }
      if (comparePositions(first.previous, at) > 0) {
        // Something we have not seen lies between: read it, and these with it.
        this.handedOff = [];
        this.handedOffEvents = 0;
        this.woken = true;
        return undefined;
      }
      const fresh = first.events.filter((event) => comparePositions(event.position, at) > 0).slice(0, this.maxCount);
      const through = fresh[fresh.length - 1]!.position;
      if (comparePositions(through, last) === 0) this.dropFirst();
      const wanted = this.options.categories;
      return { events: wanted ? fresh.filter((event) => wanted.includes(categoryOf(event.streamName))) : fresh, through };
    }
    return undefined;
  }

  private dropFirst(): void {
    this.handedOffEvents -= this.handedOff.shift()!.events.length;
  }

  /**
   * A plain timer: a wake per append must not cost an abort signal and its error. True
   * when something ended it early (a wake, a hand-off, a stop).
   */
  private async pause(ms: number): Promise<boolean> {
    if (this.woken || this.stopped) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.interrupt = undefined;
        resolve(false);
      }, ms);
      this.interrupt = () => {
        clearTimeout(timer);
        this.interrupt = undefined;
        resolve(true);
      };
    });
  }
}

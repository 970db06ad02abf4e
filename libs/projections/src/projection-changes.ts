import type { GlobalPosition, RecordedEvent } from '@agora/event-sourcing';
import type { RowsByStream } from './projection.js';

export interface StandbyWatching {
  /** The projection's committed checkpoint, as another instance moves it. */
  readonly checkpoint: () => Promise<GlobalPosition | undefined>;
  /** How often it is read while someone watches. */
  readonly intervalMs: number;
}

/** How many streams' rows a projection running here remembers, the most recently committed. */
const REMEMBERED_ROWS = 1000;

/**
 * Who waits for one projection's next committed batch, and waking them. Where the
 * projection runs in this process its runner reports each batch (`committed`), with the
 * rows it left when the projection tells them, and the rows of the streams committed
 * last are remembered: a watch opened for one of them starts with its row (`ChangeWatch.row`).
 * In a standby instance one look at the checkpoint per interval serves every watch.
 */
export class ProjectionChanges {
  private readonly watches = new Set<ChangeWatch>();
  /** By stream, the row this process last committed, oldest first; only while the projection runs here. */
  private readonly recent = new Map<string, unknown>();
  private local = false;
  private timer: NodeJS.Timeout | undefined;
  private looking = false;
  /** The checkpoint at the last standby look; `null` when there was none since watching began. */
  private seen: string | null = null;

  constructor(private readonly standby: StandbyWatching) {}

  /** How many watches are open. */
  get size(): number {
    return this.watches.size;
  }

  /** Batches are committed in this process from now on (`true`), or by another instance (`false`). */
  setLocal(local: boolean): void {
    this.local = local;
    this.recent.clear();
    // Whatever was committed on the other side of the switch has been reported by no one.
    for (const watch of this.watches) watch.wake();
    this.schedule();
  }

  /** The runner committed a batch of `events`, which left `rows` when the projection tells them. */
  committed(events: readonly RecordedEvent[], rows?: RowsByStream): void {
    const streams = new Set(events.map((event) => event.streamName));
    if (this.local) this.remember(streams, rows);
    if (this.watches.size === 0) return;
    for (const watch of this.watches) {
      if (watch.stream === undefined) watch.wake();
      else if (streams.has(watch.stream)) watch.wake(rows?.get(watch.stream));
    }
  }

  /**
   * Forgets the rows remembered: the runner failed, and what it meets may have been
   * written by someone else (a rebuild switching its tables in).
   */
  forget(): void {
    this.recent.clear();
  }

  /**
   * Starts watching for batches, only those with events of `stream` when given (a standby
   * instance cannot tell which streams a batch held: any batch counts there). Open the
   * watch before reading what it guards, so that no batch falls between the read and the
   * wait; close it when done. Where the projection runs here and committed `stream`
   * lately, the watch starts with the row it left (`row`), and needs no read.
   */
  watch(stream?: string): ChangeWatch {
    const watch = new ChangeWatch(
      stream,
      () => {
        this.watches.delete(watch);
        this.schedule();
      },
      stream === undefined ? undefined : this.recent.get(stream),
    );
    this.watches.add(watch);
    this.schedule();
    return watch;
  }

  /** The rows a batch left; a stream whose row it does not tell is forgotten, its row having changed. */
  private remember(streams: ReadonlySet<string>, rows: RowsByStream | undefined): void {
    for (const stream of streams) {
      this.recent.delete(stream);
      const row = rows?.get(stream);
      if (row !== undefined) this.recent.set(stream, row);
    }
    for (const stream of this.recent.keys()) {
      if (this.recent.size <= REMEMBERED_ROWS) break;
      this.recent.delete(stream);
    }
  }

  /** Looks at the checkpoint while this instance is a standby and someone watches. */
  private schedule(): void {
    if (this.local || this.watches.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (!this.looking) this.seen = null;
      return;
    }
    if (this.timer || this.looking) return;
    this.timer = setTimeout(() => void this.look(), this.standby.intervalMs);
  }

  private async look(): Promise<void> {
    this.timer = undefined;
    this.looking = true;
    try {
      const checkpoint = await this.standby.checkpoint();
      const key = checkpoint ? `${checkpoint.commit}/${checkpoint.prepare}` : '';
      // On the first look nothing tells whether a watch read before or after the last batch.
      if (!this.local && key !== this.seen) for (const watch of this.watches) watch.wake();
      this.seen = key;
    } catch {
      // A failed look wakes no one; the next one compares with the last checkpoint seen.
    } finally {
      this.looking = false;
      this.schedule();
    }
  }
}

/** One waiter's view of a projection's batches: see `ProjectionChanges.watch`. */
export class ChangeWatch<Row = unknown> {
  private changed = false;
  private closed = false;
  private handed: Row | undefined;
  private wakeUp: ((changed: boolean) => void) | undefined;

  constructor(
    readonly stream: string | undefined,
    private readonly onClose: () => void,
    known?: unknown,
  ) {
    this.handed = known as Row | undefined;
  }

  /**
   * Resolves `true` once a batch that may concern this watch was committed since it was
   * opened or since the last `next` that resolved `true`; `false` after `timeoutMs`, on
   * `signal`'s abort, or when the watch is closed. One `next` at a time.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.changed) {
      this.changed = false;
      return Promise.resolve(true);
    }
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const aborted = () => done(false);
      const done = (changed: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.wakeUp = undefined;
        this.changed = false;
        resolve(changed);
      };
      signal?.addEventListener('abort', aborted, { once: true });
      this.wakeUp = done;
    });
  }

  /**
   * The row of the watched stream as the batch that last woke this watch committed it
   * (before any wake: as this process last committed it, when it remembers), where its
   * projection hands rows over (`RowsByStream`); `undefined` when it does not, or when the
   * wake came from a look at the checkpoint: then read the row.
   */
  get row(): Row | undefined {
    return this.handed;
  }

  /** Stops watching; a `next` in progress resolves `false`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.wakeUp?.(false);
  }

  /** @internal A batch that may concern this watch was committed, leaving `row` for its stream when told. */
  wake(row?: unknown): void {
    if (this.closed) return;
    this.changed = true;
    this.handed = row as Row | undefined;
    this.wakeUp?.(true);
  }
}

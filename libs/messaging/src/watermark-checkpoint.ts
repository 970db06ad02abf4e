import { setTimeout as sleep } from 'node:timers/promises';
import { comparePositions, type GlobalPosition } from '@agora/event-sourcing';
import type { CheckpointStore } from './checkpoint-store.js';

/**
 * A checkpoint for work that starts in log order but finishes in any order. It is a low
 * watermark: it never passes an event whose work has not finished, it stays just before
 * the oldest one still at work, so after a crash that work is done again (handlers are
 * idempotent) and nothing is skipped. Saves are coalesced: at most one is on its way, the
 * next one takes the latest position, and saves are at least `minSaveIntervalMs` apart, so
 * a busy consumer writes its checkpoint a few times a second rather than once per batch.
 * What that costs after a crash is redelivery of the last interval's events, which
 * idempotent handlers absorb.
 */
export class WatermarkCheckpoint {
  /** Work not finished yet, oldest first: ticket → position of the last event before it. */
  private readonly open = new Map<number, { readonly before: GlobalPosition | undefined; readonly events: number }>();
  private nextTicket = 0;
  private openEvents = 0;
  private last: GlobalPosition | undefined;
  private saved: GlobalPosition | undefined;
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  private waiters: (() => void)[] = [];
  private abandoned = false;
  private lastSaveAt = -Infinity;
  private readonly minSaveIntervalMs: number;

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly name: string,
    /** The checkpoint the work resumed from. */
    start: GlobalPosition | undefined,
    private readonly onSaveError: (error: unknown) => void = () => undefined,
    /** Least time between two saves. Default 100 ms. */
    options: { readonly minSaveIntervalMs?: number } = {},
  ) {
    this.minSaveIntervalMs = options.minSaveIntervalMs ?? 100;
    this.last = start;
    this.saved = start;
  }

  /** Events whose work has begun and not finished. */
  get eventsAtWork(): number {
    return this.openEvents;
  }

  /** Work for the events up to `through` (`events` of them) begins; `finish` the ticket when it is done. */
  begin(through: GlobalPosition, events = 1): number {
    const ticket = this.nextTicket++;
    this.open.set(ticket, { before: this.last, events });
    this.openEvents += events;
    this.last = through;
    return ticket;
  }

  /** The events up to `through` need no work. */
  pass(through: GlobalPosition): void {
    this.last = through;
  }

  finish(ticket: number): void {
    const work = this.open.get(ticket);
    if (!work) return;
    this.open.delete(ticket);
    this.openEvents -= work.events;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when fewer than `events` events are at work, or the work was abandoned. */
  async below(events: number): Promise<void> {
    while (this.openEvents >= events && !this.abandoned) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** No more work will begin (it failed, or is stopping): whoever waits in `below` goes on. */
  abandon(): void {
    this.abandoned = true;
    this.wakeWaiters();
  }

  /** The position to resume after: just before the oldest unfinished work, or the last event seen. */
  get position(): GlobalPosition | undefined {
    const oldest = this.open.values().next();
    return oldest.done ? this.last : oldest.value.before;
  }

  /**
   * Saves the watermark, or has the save in progress followed by one more. Never rejects:
   * a failed save is reported, and a later one catches up (an older checkpoint only means
   * more is delivered again).
   */
  save(): Promise<void> {
    this.saveAgain = true;
    this.saving ??= this.saveLoop().finally(() => {
      this.saving = undefined;
      if (this.saveAgain) void this.save(); // asked for while the last save was finishing
    });
    return this.saving;
  }

  /** Saves the watermark as it is now, once any save in progress has finished. */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
    await this.save();
  }

  private async saveLoop(): Promise<void> {
    try {
      while (this.saveAgain) {
        const wait = this.lastSaveAt + this.minSaveIntervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        this.saveAgain = false;
        const mark = this.position;
        if (!mark || (this.saved && comparePositions(mark, this.saved) === 0)) continue;
        this.lastSaveAt = performance.now();
        await this.checkpoints.save(this.name, mark);
        this.saved = mark;
      }
    } catch (error) {
      this.saveAgain = false;
      this.onSaveError(error);
    }
  }
}

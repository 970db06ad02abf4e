import { describe, expect, it } from '@jest/globals';
import type { GlobalPosition } from '@agora/event-sourcing';
import type { CheckpointStore } from './checkpoint-store.js';
import { WatermarkCheckpoint } from './watermark-checkpoint.js';

const at = (n: number): GlobalPosition => ({ commit: n, prepare: n });

/** Remembers every save; the next save can be made to fail. */
class RecordingCheckpoints implements CheckpointStore {
  readonly saves: GlobalPosition[] = [];
  failNext = false;
  async load(): Promise<GlobalPosition | undefined> {
    return this.saves.at(-1);
  }
  async save(_name: string, position: GlobalPosition): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database away');
    }
    this.saves.push(position);
  }
}

describe('WatermarkCheckpoint', () => {
  it('stays just before the oldest unfinished work, whatever finishes first', () => {
    const progress = new WatermarkCheckpoint(new RecordingCheckpoints(), 'c', at(1));
    const two = progress.begin(at(2));
    progress.pass(at(3));
    const four = progress.begin(at(4));
    expect(progress.position).toEqual(at(1));
    progress.finish(four);
    expect(progress.position).toEqual(at(1));
    progress.finish(two);
    expect(progress.position).toEqual(at(4));
  });

  it('counts the events at work and lets a waiter go on when there is room', async () => {
    const progress = new WatermarkCheckpoint(new RecordingCheckpoints(), 'c', undefined);
    const batch = progress.begin(at(10), 10);
    expect(progress.eventsAtWork).toBe(10);
    let through = false;
    const waiting = progress.below(5).then(() => (through = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(through).toBe(false);
    progress.finish(batch);
    await waiting;
    expect(progress.eventsAtWork).toBe(0);
  });

  it('coalesces saves: one on its way at a time, then one with the latest watermark', async () => {
    const checkpoints = new RecordingCheckpoints();
    const progress = new WatermarkCheckpoint(checkpoints, 'c', undefined);
    const tickets = [1, 2, 3, 4].map((n) => progress.begin(at(n)));
    const saves = tickets.map((ticket) => {
      progress.finish(ticket);
      return progress.save();
    });
    await Promise.all(saves);
    await progress.flush();
    expect(checkpoints.saves.length).toBeLessThan(4);
    expect(checkpoints.saves.at(-1)).toEqual(at(4));
  });

  it('reports a failed save and catches up with the next one', async () => {
    const checkpoints = new RecordingCheckpoints();
    const errors: unknown[] = [];
    const progress = new WatermarkCheckpoint(checkpoints, 'c', undefined, (error) => errors.push(error));
    progress.finish(progress.begin(at(1)));
    checkpoints.failNext = true;
    await progress.save();
    expect(errors).toHaveLength(1);
    expect(checkpoints.saves).toEqual([]);
    await progress.flush();
    expect(checkpoints.saves).toEqual([at(1)]);
  });

  it('saves at most once per interval while work keeps finishing, and the latest watermark last', async () => {
    const checkpoints = new RecordingCheckpoints();
    const savedAt: number[] = [];
    const save = checkpoints.save.bind(checkpoints);
    checkpoints.save = async (name, position) => {
      savedAt.push(performance.now());
      await save(name, position);
    };
    const progress = new WatermarkCheckpoint(checkpoints, 'c', undefined, undefined, { minSaveIntervalMs: 40 });
    const started = performance.now();
    for (let n = 1; performance.now() - started < 200; n++) {
      progress.finish(progress.begin(at(n)));
      void progress.save();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const last = progress.position;
    await progress.flush();
    expect(checkpoints.saves.at(-1)).toEqual(last);
    expect(savedAt.length).toBeLessThanOrEqual(7); // 200 ms at one save per 40 ms, and the flush
    for (let i = 1; i < savedAt.length; i++) expect(savedAt[i]! - savedAt[i - 1]!).toBeGreaterThanOrEqual(35); // timers may fire a little early
  });
});

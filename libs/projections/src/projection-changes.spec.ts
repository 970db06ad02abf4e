import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { GlobalPosition, RecordedEvent } from '@agora/event-sourcing';
import { ProjectionChanges } from './projection-changes.js';

const batchOf = (...streams: string[]) => streams.map((streamName) => ({ streamName }) as RecordedEvent);

/** Settles a `next` without waiting for it: `'pending'` while it has not resolved. */
const state = async (promise: Promise<boolean>) => {
  const pending = Symbol('pending');
  const result = await Promise.race([promise, Promise.resolve().then(() => pending)]);
  return result === pending ? 'pending' : result;
};

describe('ProjectionChanges', () => {
  beforeEach(() => void jest.useFakeTimers());
  afterEach(() => void jest.useRealTimers());

  describe('where the projection runs in this process', () => {
    const changes = () => {
      const checkpoint = jest.fn(async (): Promise<GlobalPosition | undefined> => undefined);
      const local = new ProjectionChanges({ checkpoint, intervalMs: 100 });
      local.setLocal(true);
      return { local, checkpoint };
    };

    it('wakes a watch of a stream for a batch with that stream’s events only', async () => {
      const { local, checkpoint } = changes();
      const watch = local.watch('order-1');
      const next = watch.next(10_000);
      local.committed(batchOf('order-2', 'order-3'));
      expect(await state(next)).toBe('pending');
      local.committed(batchOf('order-3', 'order-1'));
      expect(await next).toBe(true);
      expect(checkpoint).not.toHaveBeenCalled();
    });

    it('hands a watch of a stream the row the batch left for it, and no stale row after a batch that left none', async () => {
      const { local } = changes();
      const watch = local.watch('order-1');
      expect(watch.row).toBeUndefined();
      const rows = new Map([
        ['order-1', { orderId: '1', status: 'CONFIRMED' }],
        ['order-2', { orderId: '2', status: 'PENDING' }],
      ]);
      local.committed(batchOf('order-2', 'order-1'), rows);
      expect(await watch.next(10_000)).toBe(true);
      expect(watch.row).toEqual({ orderId: '1', status: 'CONFIRMED' });
      local.committed(batchOf('order-3'), new Map([['order-3', { orderId: '3' }]]));
      expect(watch.row).toEqual({ orderId: '1', status: 'CONFIRMED' });
      local.committed(batchOf('order-1'));
      expect(await watch.next(10_000)).toBe(true);
      expect(watch.row).toBeUndefined();
      watch.close();
    });

    it('starts a watch with the row last committed for its stream, while it remembers it', () => {
      const { local } = changes();
      const row = (n: number) => ({ orderId: `${n}` });
      local.committed(batchOf('order-1', 'order-2'), new Map([['order-1', row(1)], ['order-2', row(2)]]));
      local.committed(batchOf('order-2'), new Map([['order-2', { orderId: '2', status: 'CONFIRMED' }]]));
      expect(local.watch('order-1').row).toEqual(row(1));
      expect(local.watch('order-2').row).toEqual({ orderId: '2', status: 'CONFIRMED' });
      expect(local.watch('order-3').row).toBeUndefined();
      // A batch that tells no row for a stream leaves it unknown.
      local.committed(batchOf('order-1'));
      expect(local.watch('order-1').row).toBeUndefined();
      // The most recently committed thousand, no more.
      for (let n = 10; n < 1010; n++) local.committed(batchOf(`order-${n}`), new Map([[`order-${n}`, row(n)]]));
      expect(local.watch('order-2').row).toBeUndefined();
      expect(local.watch('order-10').row).toEqual(row(10));
      // Forgotten when the runner fails, and when the projection stops or starts running here.
      local.forget();
      expect(local.watch('order-10').row).toBeUndefined();
      local.committed(batchOf('order-5'), new Map([['order-5', row(5)]]));
      local.setLocal(false);
      expect(local.watch('order-5').row).toBeUndefined();
      local.committed(batchOf('order-6'), new Map([['order-6', row(6)]]));
      expect(local.watch('order-6').row).toBeUndefined();
    });

    it('wakes a watch of every stream for any batch', async () => {
      const { local } = changes();
      const watch = local.watch();
      const next = watch.next(10_000);
      local.committed(batchOf('order-9'));
      expect(await next).toBe(true);
    });

    it('keeps a batch committed between opening the watch and waiting, once', async () => {
      const { local } = changes();
      const watch = local.watch('order-1');
      local.committed(batchOf('order-1'));
      local.committed(batchOf('order-1'));
      expect(await watch.next(10_000)).toBe(true);
      const again = watch.next(10_000);
      expect(await state(again)).toBe('pending');
      watch.close();
      expect(await again).toBe(false);
    });

    it('answers false after the timeout, on abort and once closed, and forgets closed watches', async () => {
      const { local } = changes();
      const watch = local.watch('order-1');
      const timedOut = watch.next(500);
      await jest.advanceTimersByTimeAsync(499);
      expect(await state(timedOut)).toBe('pending');
      await jest.advanceTimersByTimeAsync(1);
      expect(await timedOut).toBe(false);

      const abort = new AbortController();
      const aborted = watch.next(10_000, abort.signal);
      abort.abort();
      expect(await aborted).toBe(false);
      expect(await watch.next(10_000, abort.signal)).toBe(false);

      expect(local.size).toBe(1);
      watch.close();
      expect(local.size).toBe(0);
      local.committed(batchOf('order-1'));
      expect(await watch.next(10_000)).toBe(false);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('in a standby instance', () => {
    const standby = () => {
      let position: GlobalPosition | undefined = { commit: 1, prepare: 0 };
      const checkpoint = jest.fn(async () => position);
      const changes = new ProjectionChanges({ checkpoint, intervalMs: 100 });
      return { changes, checkpoint, moveTo: (commit: number) => (position = { commit, prepare: 0 }) };
    };

    it('reads the checkpoint once per interval for all watches, and wakes them all when it moves', async () => {
      const { changes, checkpoint, moveTo } = standby();
      const watches = [changes.watch('order-1'), changes.watch('order-2'), changes.watch('order-3')];
      // The first look wakes every watch: it cannot tell whether they read before a batch.
      await jest.advanceTimersByTimeAsync(100);
      expect(checkpoint).toHaveBeenCalledTimes(1);
      expect(await Promise.all(watches.map((watch) => watch.next(10_000)))).toEqual([true, true, true]);
      // A look at the checkpoint knows no rows: the waiters read them.
      expect(watches.map((watch) => watch.row)).toEqual([undefined, undefined, undefined]);

      const next = watches.map((watch) => watch.next(10_000));
      await jest.advanceTimersByTimeAsync(300);
      expect(checkpoint).toHaveBeenCalledTimes(4);
      expect(await Promise.all(next.map(state))).toEqual(['pending', 'pending', 'pending']);

      moveTo(2);
      await jest.advanceTimersByTimeAsync(100);
      expect(await Promise.all(next)).toEqual([true, true, true]);
      for (const watch of watches) watch.close();
    });

    it('stops reading when the last watch closes, and when the projection starts running here', async () => {
      const { changes, checkpoint } = standby();
      const watch = changes.watch('order-1');
      await jest.advanceTimersByTimeAsync(100);
      watch.close();
      await jest.advanceTimersByTimeAsync(1000);
      expect(checkpoint).toHaveBeenCalledTimes(1);

      const other = changes.watch('order-1');
      await jest.advanceTimersByTimeAsync(100);
      expect(checkpoint).toHaveBeenCalledTimes(2);
      expect(await other.next(10_000)).toBe(true);
      const next = other.next(10_000);
      // What the other instance committed just before this one took over was reported by no one.
      changes.setLocal(true);
      expect(await next).toBe(true);
      await jest.advanceTimersByTimeAsync(1000);
      expect(checkpoint).toHaveBeenCalledTimes(2);
      other.close();
    });

    it('goes on looking after a failed look, without waking anyone for it', async () => {
      const { changes, checkpoint, moveTo } = standby();
      const watch = changes.watch();
      await jest.advanceTimersByTimeAsync(100);
      expect(await watch.next(10_000)).toBe(true);
      checkpoint.mockRejectedValueOnce(new Error('connection lost'));
      const next = watch.next(10_000);
      await jest.advanceTimersByTimeAsync(100);
      expect(await state(next)).toBe('pending');
      moveTo(3);
      await jest.advanceTimersByTimeAsync(100);
      expect(await next).toBe(true);
      watch.close();
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import { KeyedQueue } from './keyed-queue.js';

/** A piece of work that finishes when told to. */
function gated<T>(value: T) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return { work: async () => (await gate, value), open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs one key in the order of the calls, each after the previous has settled, even across calls', async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const first = gated('first');
    const a = queue.run('k', () => (started.push('first'), first.work()));
    const b = queue.run('k', async () => (started.push('second'), 'second'));
    await tick();
    expect(started).toEqual(['first']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['first', 'second']);
    expect(started).toEqual(['first', 'second']);
  });

  it('runs different keys at the same time', async () => {
    const queue = new KeyedQueue();
    const slow = gated('slow');
    const a = queue.run('a', slow.work);
    const b = await queue.run('b', async () => 'fast');
    expect(b).toBe('fast');
    expect(queue.has('a')).toBe(true);
    slow.open();
    expect(await a).toBe('slow');
  });

  it('does not hold up a key after a failure, and passes the failure to its caller', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run('k', async () => {
      throw new Error('boom');
    });
    const next = queue.run('k', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });

  it('forgets a key once its work is done, and wakes who waits for room then', async () => {
    const queue = new KeyedQueue();
    const slow = gated(undefined);
    void queue.run('a', slow.work);
    void queue.run('b', async () => undefined);
    await tick();
    expect([queue.size, queue.hasRoomFor('a', 1), queue.hasRoomFor('c', 1)]).toEqual([1, true, false]);
    let woken = false;
    void queue.keyFreed().then(() => (woken = true));
    await tick();
    expect(woken).toBe(false);
    slow.open();
    await tick();
    expect([woken, queue.size, queue.hasRoomFor('c', 1)]).toEqual([true, 0, true]);
  });

  it('ends the waits for room when told to', async () => {
    const queue = new KeyedQueue();
    void queue.run('a', gated(undefined).work);
    const waits = [queue.keyFreed(), queue.keyFreed()];
    queue.wake();
    await Promise.all(waits);
    expect(queue.has('a')).toBe(true);
  });

  it('runs work of several keys after the earlier work of each, and before the later work of each', async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const onA = gated('a');
    const onB = gated('b');
    const runs = [
      queue.run('a', () => (started.push('a'), onA.work())),
      queue.run('b', () => (started.push('b'), onB.work())),
      queue.run(['a', 'b'], async () => (started.push('a+b'), 'a+b')),
      queue.run('b', async () => (started.push('b later'), 'b later')),
      queue.run(['b', 'a'], async () => (started.push('b+a'), 'b+a')),
    ];
    await tick();
    expect(started).toEqual(['a', 'b']);
    onA.open();
    await tick();
    expect(started).toEqual(['a', 'b']);
    onB.open();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'a+b', 'b later', 'b+a']);
    expect(started).toEqual(['a', 'b', 'a+b', 'b later', 'b+a']);
    expect(queue.size).toBe(0);
  });
});

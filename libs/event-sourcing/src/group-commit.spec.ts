import { describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { GroupCommit, type Pending } from './group-commit.js';

interface Item {
  readonly key: string;
  readonly value: number;
}

/** A writer whose batches the test finishes by hand, recording what each batch held. */
function controlledWriter() {
  const batches: Item[][] = [];
  const finish: (() => void)[] = [];
  const write = (batch: readonly Pending<Item, string>[]) =>
    new Promise<void>((resolve) => {
      batches.push(batch.map((pending) => pending.item));
      finish.push(() => {
        for (const pending of batch) pending.resolve(`${pending.item.key}:${pending.item.value}`);
        resolve();
      });
    });
  return { batches, finish, write };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes an item at once while idle, and the items that arrive while it is busy together in one batch', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 1, maxBatch: 100, keysOf: (item: Item) => [item.key] });
    const first = group.submit({ key: 'a', value: 1 });
    const rest = ['b', 'c', 'd'].map((key, i) => group.submit({ key, value: i }));
    expect(writer.batches).toEqual([[{ key: 'a', value: 1 }]]);
    writer.finish[0]!();
    expect(await first).toBe('a:1');
    await settle();
    expect(writer.batches[1]).toEqual([
      { key: 'b', value: 0 },
      { key: 'c', value: 1 },
      { key: 'd', value: 2 },
    ]);
    writer.finish[1]!();
    expect(await Promise.all(rest)).toEqual(['b:0', 'c:1', 'd:2']);
  });

  it('never puts two items of one key in a batch, nor lets a later one overtake', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 1, maxBatch: 100, keysOf: (item: Item) => [item.key] });
    const answers = [group.submit({ key: 'x', value: 0 }), group.submit({ key: 'x', value: 1 }), group.submit({ key: 'y', value: 0 }), group.submit({ key: 'x', value: 2 })];
    for (let i = 0; i < 3; i++) {
      writer.finish[i]!();
      await settle();
    }
    expect(writer.batches).toEqual([[{ key: 'x', value: 0 }], [{ key: 'x', value: 1 }, { key: 'y', value: 0 }], [{ key: 'x', value: 2 }]]);
    expect(await Promise.all(answers)).toEqual(['x:0', 'x:1', 'y:0', 'x:2']);
  });

  it('holds an item of several keys back while any of its keys is busy, and later items of each of its keys behind it', async () => {
    interface Joint {
      readonly keys: readonly string[];
    }
    const batches: string[][] = [];
    const finish: (() => void)[] = [];
    const group = new GroupCommit<Joint, string>(
      (batch) =>
        new Promise<void>((resolve) => {
          batches.push(batch.map((pending) => pending.item.keys.join('+')));
          finish.push(() => {
            for (const pending of batch) pending.resolve(pending.item.keys.join('+'));
            resolve();
          });
        }),
      { maxInFlight: 1, maxBatch: 100, keysOf: (item) => item.keys },
    );
    const answers = [['a'], ['a', 'b'], ['b'], ['c']].map((keys) => group.submit({ keys }));
    for (let i = 0; i < 3; i++) {
      finish[i]!();
      await settle();
    }
    expect(batches).toEqual([['a'], ['a+b', 'c'], ['b']]);
    expect(await Promise.all(answers)).toEqual(['a', 'a+b', 'b', 'c']);
  });

  it('keeps batches within maxBatch and runs up to maxInFlight at once', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit(writer.write, { maxInFlight: 2, maxBatch: 2, keysOf: (item: Item) => [item.key] });
    const answers = Array.from({ length: 6 }, (_, i) => group.submit({ key: `k${i}`, value: i }));
    expect(writer.batches.map((batch) => batch.length)).toEqual([1, 1]);
    writer.finish[0]!();
    writer.finish[1]!();
    await settle();
    expect(writer.batches.map((batch) => batch.length)).toEqual([1, 1, 2, 2]);
    writer.finish[2]!();
    writer.finish[3]!();
    expect(await Promise.all(answers)).toHaveLength(6);
  });

  it('answers each item as the writer decides, and rejects what a failing writer left unanswered', async () => {
    const group = new GroupCommit<Item, string>(
      async (batch) => {
        batch[0]!.resolve('written');
        if (batch.length > 1) batch[1]!.reject(new Error('refused'));
        if (batch.length > 2) throw new Error('connection lost');
      },
      { maxInFlight: 1, maxBatch: 100, keysOf: (item) => [item.key] },
    );
    const blocker = group.submit({ key: 'first', value: 0 });
    const outcomes = Promise.allSettled(['a', 'b', 'c', 'd'].map((key) => group.submit({ key, value: 0 })));
    expect(await blocker).toBe('written');
    expect((await outcomes).map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([
      'written',
      'refused',
      'connection lost',
      'connection lost',
    ]);
  });

  it('rejects an item that the writer neither answered nor failed', async () => {
    const group = new GroupCommit<Item, string>(async () => undefined, { maxInFlight: 1, maxBatch: 100, keysOf: (item) => [item.key] });
    await expect(group.submit({ key: 'a', value: 0 })).rejects.toThrow(/unanswered/);
  });

  it('writes each batch in the context of its first item’s submitter, not in that of the batch before it', async () => {
    // As a request's trace is kept: the writes of later requests must not join the first one's.
    const request = new AsyncLocalStorage<string>();
    const writtenFor: (string | undefined)[] = [];
    const writer = controlledWriter();
    const group = new GroupCommit<Item, string>(
      (batch) => {
        writtenFor.push(request.getStore());
        return writer.write(batch);
      },
      { maxInFlight: 1, maxBatch: 100, keysOf: (item) => [item.key] },
    );
    const first = request.run('first', () => group.submit({ key: 'a', value: 1 }));
    const second = request.run('second', () => group.submit({ key: 'b', value: 2 }));
    const third = request.run('third', () => group.submit({ key: 'c', value: 3 }));
    writer.finish[0]!();
    await first;
    await settle();
    writer.finish[1]!();
    expect(await Promise.all([second, third])).toEqual(['b:2', 'c:3']);
    expect(writtenFor).toEqual(['first', 'second']);
  });
});

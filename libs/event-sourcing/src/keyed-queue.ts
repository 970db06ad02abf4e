/**
 * Work in order per key, different keys at the same time: a piece of work starts once the
 * previous one of its key has settled. The order holds across calls, so a caller that
 * enqueues in log order keeps the log's order per key. A failed piece of work does not
 * hold up its key; what a failure means is the caller's to decide.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** `onIdle` is called when a key's last piece of work has settled. */
  constructor(private readonly onIdle?: (key: string) => void) {}

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  has(key: string): boolean {
    return this.tails.has(key);
  }

  /**
   * Queues `work` behind the earlier work of its key, synchronously; resolves with its
   * result. Work of several keys starts once the earlier work of every one of them has
   * settled, and the later work of each waits for it: it keeps its place on every key, and
   * since places are taken at once, no two pieces of work can wait for each other.
   */
  run<T>(key: string | readonly string[], work: () => Promise<T>): Promise<T> {
    const keys = typeof key === 'string' ? [key] : [...new Set(key)];
    const before = keys.map((k) => this.tails.get(k) ?? Promise.resolve());
    const result = (before.length === 1 ? before[0]! : Promise.all(before)).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    for (const k of keys) this.tails.set(k, tail);
    void tail.then(() => {
      for (const k of keys) {
        if (this.tails.get(k) !== tail) continue;
        this.tails.delete(k);
        this.onIdle?.(k);
      }
    });
    return result;
  }
}

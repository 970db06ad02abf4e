/**
 * Work in order per key, different keys at the same time: a piece of work starts once the
 * previous one of its key has settled. The order holds across calls, so a caller that
 * enqueues in log order keeps the log's order per key. A failed piece of work does not
 * hold up its key; what a failure means is the caller's to decide.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private waiting: (() => void)[] = [];

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }

  has(key: string): boolean {
    return this.tails.has(key);
  }

  /**
   * Whether work of `key` keeps within `maxKeys` keys at work: its key is at work already,
   * or there are fewer. Callers that bound their keys wait on `keyFreed` until it is so.
   */
  hasRoomFor(key: string, maxKeys: number): boolean {
    return this.tails.has(key) || this.tails.size < maxKeys;
  }

  /** Resolves once a key's last piece of work has settled, or `wake` is called. */
  keyFreed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Ends every wait of `keyFreed` now (for a caller that stops waiting for room). */
  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
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
      let freed = false;
      for (const k of keys) {
        if (this.tails.get(k) !== tail) continue;
        this.tails.delete(k);
        freed = true;
      }
      if (freed) this.wake();
    });
    return result;
  }
}

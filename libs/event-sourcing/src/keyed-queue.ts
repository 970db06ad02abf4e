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

  /** Queues `work` behind the key's earlier work, synchronously; resolves with its result. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) !== tail) return;
      this.tails.delete(key);
      this.onIdle?.(key);
    });
    return result;
  }
}

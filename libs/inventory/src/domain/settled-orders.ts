// A product's bounded memory of the orders whose hold it has settled (released or sold),
// newest last. It absorbs redelivered and late commands for recent orders; an order that
// has dropped out of it is handled as described in product.ts.

export type Settlement = 'released' | 'sold';
export type SettledOrder = readonly [orderId: string, settlement: Settlement];

/**
 * Chunks of at most `CHUNK` settled orders, oldest first. Immutable: recording one copies
 * only the newest chunk and the list of chunks, so folding a long stream stays linear.
 * Plain arrays, so it is its own JSON.
 */
export type SettledOrders = readonly (readonly SettledOrder[])[];

const CHUNK = 64;

export const noSettledOrders: SettledOrders = [];

/**
 * `settled` with `orderId` recorded as the newest, keeping at least the last `kept` orders
 * and dropping older ones a whole chunk at a time (so fewer than `kept` + 64 remain).
 */
export function withSettled(settled: SettledOrders, orderId: string, settlement: Settlement, kept: number): SettledOrders {
  const newest = settled[settled.length - 1];
  let chunks =
    newest && newest.length < CHUNK ? [...settled.slice(0, -1), [...newest, [orderId, settlement] as const]] : [...settled, [[orderId, settlement] as const]];
  let count = (chunks.length - 1) * CHUNK + chunks[chunks.length - 1]!.length;
  while (chunks.length > 1 && count - chunks[0]!.length >= kept) {
    count -= chunks[0]!.length;
    chunks = chunks.slice(1);
  }
  return chunks;
}

/** How the order's hold ended, if the order is still remembered; the latest settlement wins. */
export function settlementOf(settled: SettledOrders, orderId: string): Settlement | undefined {
  for (let c = settled.length - 1; c >= 0; c--) {
    const chunk = settled[c]!;
    for (let i = chunk.length - 1; i >= 0; i--) if (chunk[i]![0] === orderId) return chunk[i]![1];
  }
  return undefined;
}

export function settledCount(settled: SettledOrders): number {
  return settled.reduce((count, chunk) => count + chunk.length, 0);
}

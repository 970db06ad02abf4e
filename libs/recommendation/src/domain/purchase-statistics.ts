// What the recommendation context learns from orders: what each customer bought, and
// which products are bought together. A confirmed order only ever adds to these
// statistics, so its effect is a set of increments that commute: orders may be applied
// in any order, and concurrently, as long as each is applied once.

export interface PurchasedLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface ConfirmedOrder {
  readonly customerId: string;
  readonly lines: readonly PurchasedLine[];
}

/** Added to what the customer bought of one sku. */
export interface PurchaseIncrement {
  readonly sku: string;
  readonly quantity: number;
  /** Orders that contained the sku: 1, however many lines of it the order has. */
  readonly orders: number;
}

/** Added to how often `sku` and `otherSku` were bought in the same order. */
export interface CoPurchaseIncrement {
  readonly sku: string;
  readonly otherSku: string;
  readonly count: number;
}

export interface PurchaseStatisticsChange {
  readonly customerId: string;
  /** One per distinct sku of the order, sorted by sku. */
  readonly purchases: readonly PurchaseIncrement[];
  /** Both directions of every pair of distinct skus, sorted by sku then otherSku. */
  readonly coPurchases: readonly CoPurchaseIncrement[];
}

/**
 * What one confirmed order adds to the statistics. Lines of the same sku count as one
 * product (quantities added up), and a product is never paired with itself. The fixed
 * order lets the adapter write rows in the same order in every transaction.
 */
export function changeOf(order: ConfirmedOrder): PurchaseStatisticsChange {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of order.lines) quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);
  const skus = [...quantities.keys()].sort(bySku);
  return {
    customerId: order.customerId,
    purchases: skus.map((sku) => ({ sku, quantity: quantities.get(sku)!, orders: 1 })),
    coPurchases: skus.flatMap((sku) => skus.filter((otherSku) => otherSku !== sku).map((otherSku) => ({ sku, otherSku, count: 1 }))),
  };
}

function bySku(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { fold } from '@agora/event-sourcing';
import { createProductDecider, productDecider, type ListedProduct, type Product, type ProductCommand, type ProductEvent } from './product.js';
import { settledCount, settlementOf } from './settled-orders.js';

const sku = 'MUG-BLUE';
const added: ProductEvent = { type: 'inventory.product-added.v1', data: { sku, name: 'Blue mug', priceCents: 1250, currency: 'EUR', initialStock: 1_000_000 } };

/** The events of `count` orders of one unit each: reserved, then sold (or released, every third). */
function settledOrders(count: number): ProductEvent[] {
  return Array.from({ length: count }, (_, i): ProductEvent[] => {
    const orderId = `order-${i}`;
    const settled = i % 3 === 2 ? 'inventory.product-stock-released.v1' : 'inventory.product-stock-sold.v1';
    return [
      { type: 'inventory.product-stock-reserved.v1', data: { sku, orderId, quantity: 1 } },
      { type: settled, data: { sku, orderId, quantity: 1 } },
    ];
  }).flat();
}

function listed(state: Product): ListedProduct {
  if (state.status !== 'listed') throw new Error('not listed');
  return state;
}

describe('a product with many orders behind it', () => {
  it('keeps only active holds and a bounded record of settled orders, however many orders it saw', () => {
    const sizeAfter = (orders: number) => {
      const product = listed(fold(productDecider, [added, ...settledOrders(orders)]));
      expect(product.holds.size).toBe(0);
      return { settled: settledCount(product.settled), json: JSON.stringify(productDecider.snapshots!.toJSON(product)).length };
    };

    const after5k = sizeAfter(5_000);
    const after20k = sizeAfter(20_000);

    for (const { settled } of [after5k, after20k]) {
      expect(settled).toBeGreaterThanOrEqual(2_000);
      expect(settled).toBeLessThan(2_000 + 64);
    }
    // Four times the orders, the same size give or take a chunk of order ids.
    expect(after20k.json).toBeLessThan(after5k.json * 1.05);
  });

  it('still counts every unit it ever sold or gave back', () => {
    const product = listed(fold(productDecider, [added, ...settledOrders(3_000)]));
    expect(product).toMatchObject({ received: 1_000_000, available: 1_000_000 - 2_000, reserved: 0, sold: 2_000, holdsMade: 3_000 });
  });

  it('answers a redelivered reservation of a recently settled order with nothing', () => {
    const product = listed(fold(productDecider, [added, ...settledOrders(3_000)]));
    expect(settlementOf(product.settled, 'order-2998')).toBe('sold');
    expect(productDecider.decide({ type: 'reserve-stock', sku, orderId: 'order-2998', quantity: 1 }, product)).toEqual([]);
  });

  it('holds stock again for an order settled so long ago that it is forgotten (the reservation stream prevents and repairs that)', () => {
    const decider = createProductDecider({ settledOrdersKept: 10 });
    const product = listed(fold(decider, [added, ...settledOrders(200)]));
    expect(settlementOf(product.settled, 'order-0')).toBeUndefined();
    expect(decider.decide({ type: 'reserve-stock', sku, orderId: 'order-0', quantity: 1 }, product)).toEqual([
      { type: 'inventory.product-stock-reserved.v1', data: { sku, orderId: 'order-0', quantity: 1 } },
    ]);
  });

  it('decides the same from its snapshot as from its events', () => {
    const active = randomUUID();
    const events = [...settledOrders(2_500), { type: 'inventory.product-stock-reserved.v1', data: { sku, orderId: active, quantity: 2 } } as ProductEvent];
    const folded = fold(productDecider, [added, ...events]);
    const policy = productDecider.snapshots!;
    const restored = policy.fromJSON(JSON.parse(JSON.stringify(policy.toJSON(folded))));

    expect(restored).toEqual(folded);
    const commands: ProductCommand[] = [
      { type: 'sell-stock', sku, orderId: active, hold: 2_501 },
      { type: 'release-stock', sku, orderId: active },
      { type: 'reserve-stock', sku, orderId: 'order-2400', quantity: 1 },
      { type: 'reserve-stock', sku, orderId: randomUUID(), quantity: 3 },
    ];
    for (const command of commands) expect(productDecider.decide(command, restored)).toEqual(productDecider.decide(command, folded));
  });
});

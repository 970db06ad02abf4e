import { describe, expect, it } from '@jest/globals';
import type { ProductEvent } from '../domain/product.js';
import { evolveProductRow } from './products.projection.js';

const fold = (events: ProductEvent[]) => events.reduce(evolveProductRow, undefined);
const added: ProductEvent = { type: 'inventory.product-added.v1', data: { sku: 'MUG', name: 'Mug', priceCents: 850, currency: 'EUR', initialStock: 10 } };

describe('the products read model', () => {
  it('moves units between available, reserved and sold as the stream does', () => {
    const row = fold([
      added,
      { type: 'inventory.stock-added.v1', data: { sku: 'MUG', quantity: 5 } },
      { type: 'inventory.product-stock-reserved.v1', data: { sku: 'MUG', orderId: 'o-1', quantity: 3 } },
      { type: 'inventory.product-stock-reserved.v1', data: { sku: 'MUG', orderId: 'o-2', quantity: 4 } },
      { type: 'inventory.product-stock-released.v1', data: { sku: 'MUG', orderId: 'o-1', quantity: 3 } },
      { type: 'inventory.product-stock-sold.v1', data: { sku: 'MUG', orderId: 'o-2', quantity: 4 } },
    ]);
    expect({ ...row }).toEqual({ sku: 'MUG', name: 'Mug', priceCents: 850, currency: 'EUR', available: 11, reserved: 0, sold: 4 });
    expect(row!.available + row!.reserved + row!.sold).toBe(15);
  });

  it('ignores stock events of a product it never saw added', () => {
    expect(fold([{ type: 'inventory.stock-added.v1', data: { sku: 'MUG', quantity: 5 } }])).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { productDecider, stockIsBalanced, type ListedProduct } from '../../domain/product.js';
import { orderId, otherOrderId, product } from '../inventory-examples.js';
import { ProductView } from './product.view.js';

describe('a product’s stock levels', () => {
  const history = [
    product.added(5),
    product.stockAdded(3),
    product.reserved(orderId, 4),
    product.reserved(otherOrderId, 2),
    product.sold(orderId, 4),
    product.released(otherOrderId, 2),
  ];

  it('follow every movement, with available + reserved + sold = received', () => {
    const state = fold(productDecider, history) as ListedProduct;
    expect(state).toMatchObject({ received: 8, available: 4, reserved: 0, sold: 4 });
    expect(stockIsBalanced(state)).toBe(true);
    expect(ProductView.of(state)).toEqual({ sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR', available: 4, reserved: 0, sold: 4 });
  });

  it('while an order holds units', () => {
    const state = fold(productDecider, history.slice(0, 4)) as ListedProduct;
    expect(ProductView.of(state)).toMatchObject({ available: 2, reserved: 6, sold: 0 });
  });

  it('are checked: an unbalanced or negative count is caught', () => {
    const state = fold(productDecider, history) as ListedProduct;
    expect(stockIsBalanced({ ...state, available: 5 })).toBe(false);
    expect(stockIsBalanced({ ...state, available: -1, reserved: 1 })).toBe(false);
  });
});

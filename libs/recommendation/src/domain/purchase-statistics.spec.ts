import { describe, expect, it } from '@jest/globals';
import { changeOf } from './purchase-statistics.js';

describe('what a confirmed order adds to the purchase statistics', () => {
  it('counts every pair of distinct products in both directions, once each', () => {
    const change = changeOf({
      customerId: 'alice',
      lines: [
        { sku: 'MUG', quantity: 2 },
        { sku: 'CUP', quantity: 1 },
        { sku: 'TEA', quantity: 3 },
      ],
    });

    expect(change.coPurchases).toEqual([
      { sku: 'CUP', otherSku: 'MUG', count: 1 },
      { sku: 'CUP', otherSku: 'TEA', count: 1 },
      { sku: 'MUG', otherSku: 'CUP', count: 1 },
      { sku: 'MUG', otherSku: 'TEA', count: 1 },
      { sku: 'TEA', otherSku: 'CUP', count: 1 },
      { sku: 'TEA', otherSku: 'MUG', count: 1 },
    ]);
  });

  it('records what the customer bought: the quantity of each product and one order', () => {
    const change = changeOf({ customerId: 'alice', lines: [{ sku: 'MUG', quantity: 2 }, { sku: 'CUP', quantity: 1 }] });

    expect(change.customerId).toBe('alice');
    expect(change.purchases).toEqual([
      { sku: 'CUP', quantity: 1, orders: 1 },
      { sku: 'MUG', quantity: 2, orders: 1 },
    ]);
  });

  it('makes no pair of a single-line order', () => {
    const change = changeOf({ customerId: 'bob', lines: [{ sku: 'MUG', quantity: 4 }] });

    expect(change.purchases).toEqual([{ sku: 'MUG', quantity: 4, orders: 1 }]);
    expect(change.coPurchases).toEqual([]);
  });

  it('adds up repeated lines of a product, counts it in one order, and never pairs it with itself', () => {
    const change = changeOf({
      customerId: 'carol',
      lines: [
        { sku: 'MUG', quantity: 2 },
        { sku: 'TEA', quantity: 1 },
        { sku: 'MUG', quantity: 3 },
      ],
    });

    expect(change.purchases).toEqual([
      { sku: 'MUG', quantity: 5, orders: 1 },
      { sku: 'TEA', quantity: 1, orders: 1 },
    ]);
    expect(change.coPurchases).toEqual([
      { sku: 'MUG', otherSku: 'TEA', count: 1 },
      { sku: 'TEA', otherSku: 'MUG', count: 1 },
    ]);
  });

  it('makes no pair when every line is the same product', () => {
    const change = changeOf({ customerId: 'dan', lines: [{ sku: 'MUG', quantity: 1 }, { sku: 'MUG', quantity: 1 }] });

    expect(change.purchases).toEqual([{ sku: 'MUG', quantity: 2, orders: 1 }]);
    expect(change.coPurchases).toEqual([]);
  });

  it('has n × (n − 1) co-purchases for n distinct products, whatever order the lines come in', () => {
    const lines = ['E', 'B', 'D', 'A', 'C'].map((sku) => ({ sku, quantity: 1 }));
    const forward = changeOf({ customerId: 'erin', lines });
    const backward = changeOf({ customerId: 'erin', lines: [...lines].reverse() });

    expect(forward.coPurchases).toHaveLength(20);
    expect(new Set(forward.coPurchases.map(({ sku, otherSku }) => `${sku}>${otherSku}`)).size).toBe(20);
    expect(backward).toEqual(forward);
  });
});

import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { PendingLimitReached } from './errors.js';
import { pendingOrdersDecider, type PendingOrdersCommand, type PendingOrdersEvent } from './pending-orders.js';

const at = '2026-11-26T10:00:00.000Z';
const limits = { maxPendingOrders: 3, maxPendingUnits: 10 };

const admit = (orderId: string, units: number, settled: string[] = []): PendingOrdersCommand => ({ type: 'admit-order', orderId, units, limits, settled, at });
const admitted = (orderId: string, units: number): PendingOrdersEvent => ({ type: 'order.pending-order-admitted.v1', data: { orderId, units, at } });
const settledEvent = (...orderIds: string[]): PendingOrdersEvent => ({ type: 'order.pending-orders-settled.v1', data: { orderIds, at } });

const spec = deciderSpec(pendingOrdersDecider);

/** The refusal `admit` meets after `history`. */
function refusal(history: PendingOrdersEvent[], command: PendingOrdersCommand): PendingLimitReached {
  const state = history.reduce(pendingOrdersDecider.evolve, pendingOrdersDecider.initialState());
  try {
    pendingOrdersDecider.decide(command, state);
  } catch (error) {
    if (error instanceof PendingLimitReached) return error;
    throw error;
  }
  throw new Error('admitted');
}

describe("a customer's pending orders", () => {
  it('admits an order within both limits, with its units', () => spec.given(admitted('a', 4)).when(admit('b', 6)).then(admitted('b', 6)));

  it('admits the same order once (a retried request)', () => spec.given(admitted('a', 4)).when(admit('a', 4)).thenNothing());

  it('refuses an order past the pending orders at once, naming the limit and its value', () => {
    const error = refusal([admitted('a', 1), admitted('b', 1), admitted('c', 1)], admit('d', 1));
    expect(error).toMatchObject({ limit: 'ORDER_MAX_PENDING_PER_CUSTOMER', max: 3 });
    expect(error.message).toMatch(/at most 3 at once \(ORDER_MAX_PENDING_PER_CUSTOMER\), and 3 are pending/);
    expect(error.pending.map(({ orderId }) => orderId)).toEqual(['a', 'b', 'c']);
  });

  it('refuses an order past the units in pending orders, naming the limit and its value', () => {
    const error = refusal([admitted('a', 4), admitted('b', 5)], admit('c', 2));
    expect(error).toMatchObject({ limit: 'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER', max: 10 });
    expect(error.message).toMatch(/at most 10 \(ORDER_MAX_PENDING_UNITS_PER_CUSTOMER\); 9 are pending and this order adds 2/);
  });

  it('refuses an order larger than the units limit on its own, asking to split it', () =>
    expect(refusal([], admit('a', 11)).message).toMatch(/Split it into smaller orders/));

  it('admits up to the limits exactly', () => spec.given(admitted('a', 4), admitted('b', 5)).when(admit('c', 1)).then(admitted('c', 1)));

  it('gives the allowance back for settled orders: settles them and admits in one append', () =>
    spec.given(admitted('a', 1), admitted('b', 1), admitted('c', 8)).when(admit('d', 9, ['c', 'a'])).then(settledEvent('c', 'a'), admitted('d', 9)));

  it('counts settled orders no more', () => spec.given(admitted('a', 5), admitted('b', 5), settledEvent('a')).when(admit('c', 5)).then(admitted('c', 5)));

  it('settles only orders it counts', () => spec.given(admitted('a', 1)).when({ type: 'settle-orders', orderIds: ['a', 'x'], at }).then(settledEvent('a')));

  it('writes nothing when settling orders it does not count', () => spec.given(admitted('a', 1)).when({ type: 'settle-orders', orderIds: ['x'], at }).thenNothing());

  it('writes nothing, not even the settled orders, when the order is refused all the same', () => {
    const error = refusal([admitted('a', 1), admitted('b', 1), admitted('c', 1), admitted('d', 1)], admit('e', 1, ['a']));
    expect(error.pending.map(({ orderId }) => orderId)).toEqual(['b', 'c', 'd']);
  });
});

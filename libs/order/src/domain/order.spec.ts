import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { IdempotencyKeyReused, InvalidOrder, InvalidOrderTransition, OrderNotFound } from './errors.js';
import { orderDecider, type OrderCommand, type OrderEvent, type PricedLine } from './order.js';

const orderId = '0b7a5c1e-4a8e-4d8e-9d43-1f6f2a6f3c55';
const at = '2026-11-26T10:00:00.000Z';
const later = '2026-11-26T10:00:05.000Z';
const shirt: PricedLine = { sku: 'SHIRT', quantity: 2, unitPriceCents: 1999, currency: 'EUR' };
const mug: PricedLine = { sku: 'MUG', quantity: 1, unitPriceCents: 850, currency: 'EUR' };

const place = (lines: PricedLine[] = [shirt, mug], requestHash = 'h1'): OrderCommand => ({
  type: 'place-order',
  orderId,
  customerId: 'c-1',
  lines,
  paymentToken: 'tok_visa',
  requestHash,
  at,
});
const placed: OrderEvent = {
  type: 'order.placed.v1',
  data: {
    orderId,
    customerId: 'c-1',
    lines: [
      { sku: 'SHIRT', quantity: 2, unitPriceCents: 1999 },
      { sku: 'MUG', quantity: 1, unitPriceCents: 850 },
    ],
    currency: 'EUR',
    totalCents: 4848,
    paymentToken: 'tok_visa',
    requestHash: 'h1',
    at,
  },
};
const confirmed: OrderEvent = {
  type: 'order.confirmed.v1',
  data: { orderId, customerId: 'c-1', lines: placed.data.lines as never, currency: 'EUR', totalCents: 4848, at: later },
};
const rejected = (reason = 'out-of-stock'): OrderEvent => ({ type: 'order.rejected.v1', data: { orderId, reason, at: later } });
const cancellationRequested: OrderEvent = { type: 'order.cancellation-requested.v1', data: { orderId, at: later } };
const cancelled: OrderEvent = { type: 'order.cancelled.v1', data: { orderId, at: later } };

const confirm: OrderCommand = { type: 'confirm-order', orderId, at: later };
const reject = (reason = 'out-of-stock'): OrderCommand => ({ type: 'reject-order', orderId, reason, at: later });
const requestCancellation: OrderCommand = { type: 'request-cancellation', orderId, at: later };
const cancel: OrderCommand = { type: 'cancel-order', orderId, at: later };

const spec = deciderSpec(orderDecider);

describe('order decider', () => {
  describe('place', () => {
    it('places an order at catalog prices, in one currency, with its total', () => spec.given().when(place()).then(placed));
    it('places nothing again for the same request (same idempotency key, same body)', () => spec.given(placed).when(place()).thenNothing());
    it('refuses the same order id with another request', () => spec.given(placed).when(place([shirt], 'h2')).thenThrows(IdempotencyKeyReused));
    it('refuses an order without lines', () => spec.given().when(place([])).thenThrows(/lines must contain at least one line/));
    it('refuses a quantity that is not a positive integer, naming the line', () => {
      spec.given().when(place([shirt, { ...mug, quantity: 0 }])).thenThrows(/lines\.1\.quantity must be a positive integer/);
      spec.given().when(place([{ ...shirt, quantity: 1.5 }])).thenThrows(InvalidOrder);
    });
    it('refuses more units of a line than an order may hold, naming the line and the bound', () =>
      spec.given().when(place([shirt, { ...mug, quantity: 10_001 }])).thenThrows(/lines\.1\.quantity must not be greater than 10000/));
    it('accepts the most units and lines an order may hold', () => {
      const lines = Array.from({ length: 100 }, (_, i): PricedLine => ({ sku: `SKU-${i}`, quantity: 10_000, unitPriceCents: 100_000_000, currency: 'EUR' }));
      const [event] = orderDecider.decide(place(lines), orderDecider.initialState());
      expect(event).toMatchObject({ type: 'order.placed.v1', data: { totalCents: 100 * 10_000 * 100_000_000 } });
    });
    it('refuses more lines than an order may hold', () => {
      const lines = Array.from({ length: 101 }, (_, i): PricedLine => ({ ...mug, sku: `SKU-${i}` }));
      spec.given().when(place(lines)).thenThrows(/lines must contain no more than 100 lines/);
    });
    it('refuses lines in different currencies, naming them', () =>
      spec.given().when(place([shirt, { ...mug, currency: 'USD' }])).thenThrows(/lines\.1\.sku MUG is priced in USD, but lines\.0\.sku SHIRT in EUR/));
    it('refuses a sku given twice', () => spec.given().when(place([shirt, shirt])).thenThrows(/lines\.1\.sku repeats SHIRT/));
  });

  describe('confirm', () => {
    it('confirms a pending order with what the integration event needs', () => spec.given(placed).when(confirm).then(confirmed));
    it('confirms once: a redelivered command decides nothing', () => spec.given(placed, confirmed).when(confirm).thenNothing());
    it('does not confirm an order whose cancellation it accepted: the checkout cancels it instead', () =>
      spec.given(placed, cancellationRequested).when(confirm).thenNothing());
    it('refuses a cancellation once confirmed', () => spec.given(placed, confirmed).when(requestCancellation).thenThrows(InvalidOrderTransition));
    it('refuses to confirm a rejected order', () => spec.given(placed, rejected()).when(confirm).thenThrows(InvalidOrderTransition));
    it('refuses to confirm a cancelled order', () => spec.given(placed, cancelled).when(confirm).thenThrows(/is CANCELLED and can no longer be confirmed/));
    it('refuses an unknown order', () => spec.given().when(confirm).thenThrows(OrderNotFound));
  });

  describe('reject', () => {
    it('rejects a pending order with the reason', () => spec.given(placed).when(reject('payment-declined')).then(rejected('payment-declined')));
    it('rejects once', () => spec.given(placed, rejected()).when(reject()).thenNothing());
    it('refuses to reject a confirmed order', () => spec.given(placed, confirmed).when(reject()).thenThrows(InvalidOrderTransition));
    it('refuses an unknown order', () => spec.given().when(reject()).thenThrows(OrderNotFound));
  });

  describe('request cancellation', () => {
    it('records the request while the order is pending', () => spec.given(placed).when(requestCancellation).then(cancellationRequested));
    it('records it once', () => spec.given(placed, cancellationRequested).when(requestCancellation).thenNothing());
    it('refuses once the order is confirmed', () => spec.given(placed, confirmed).when(requestCancellation).thenThrows(/is CONFIRMED and can no longer be cancelled/));
    it('refuses once the order is rejected', () => spec.given(placed, rejected()).when(requestCancellation).thenThrows(InvalidOrderTransition));
    it('changes nothing when asked again of a cancelled order', () => spec.given(placed, cancellationRequested, cancelled).when(requestCancellation).thenNothing());
    it('refuses once the order is rejected', () =>
      spec.given(placed, { type: 'order.rejected.v1', data: { orderId, reason: 'out-of-stock', at: later } }).when(requestCancellation).thenThrows(/is REJECTED and can no longer be cancelled/));
    it('refuses an unknown order', () => spec.given().when(requestCancellation).thenThrows(OrderNotFound));
  });

  describe('cancel', () => {
    it('cancels a pending order', () => spec.given(placed, cancellationRequested).when(cancel).then(cancelled));
    it('cancels once', () => spec.given(placed, cancellationRequested, cancelled).when(cancel).thenNothing());
    it('refuses to cancel a confirmed order', () => spec.given(placed, confirmed).when(cancel).thenThrows(InvalidOrderTransition));
  });

  it('folds the history into the order the API shows', () => {
    const state = [placed, rejected('payment-timeout')].reduce(orderDecider.evolve, orderDecider.initialState());
    expect(state).toMatchObject({ status: 'REJECTED', reason: 'payment-timeout', totalCents: 4848, createdAt: at, updatedAt: later });
  });
});

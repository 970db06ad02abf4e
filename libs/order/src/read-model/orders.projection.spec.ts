import { describe, expect, it } from '@jest/globals';
import type { OrderEvent } from '../domain/order.js';
import { evolveOrderRow } from './orders.projection.js';

const orderId = '5d0f7a52-6f1e-4a57-9a3c-0b7f3c1f2d11';
const placed: OrderEvent = {
  type: 'order.placed.v1',
  data: { orderId, customerId: 'c-1', lines: [{ sku: 'MUG', quantity: 2, unitPriceCents: 850 }], currency: 'EUR', totalCents: 1700, paymentToken: 'tok_visa', requestHash: 'h', at: '2026-11-26T10:00:00.000Z' },
};
const fold = (events: OrderEvent[]) => events.reduce(evolveOrderRow, undefined);

describe('the orders read model', () => {
  it('shows a placed order as pending, without its payment token', () => {
    const row = fold([placed]);
    expect({ ...row }).toEqual({
      orderId,
      customerId: 'c-1',
      status: 'PENDING',
      reason: null,
      lines: [{ sku: 'MUG', quantity: 2, unitPriceCents: 850 }],
      totalCents: 1700,
      currency: 'EUR',
      createdAt: new Date('2026-11-26T10:00:00.000Z'),
      updatedAt: new Date('2026-11-26T10:00:00.000Z'),
    });
  });

  it('follows the outcome: rejected with its reason, cancelled by the customer, confirmed', () => {
    const at = '2026-11-26T10:00:05.000Z';
    expect(fold([placed, { type: 'order.rejected.v1', data: { orderId, reason: 'out-of-stock', at } }])).toMatchObject({ status: 'REJECTED', reason: 'out-of-stock', updatedAt: new Date(at) });
    expect(
      fold([placed, { type: 'order.cancellation-requested.v1', data: { orderId, at } }, { type: 'order.cancelled.v1', data: { orderId, at } }]),
    ).toMatchObject({ status: 'CANCELLED', reason: 'cancelled-by-customer' });
    const { paymentToken: _token, requestHash: _hash, ...terms } = placed.data as Extract<OrderEvent, { type: 'order.placed.v1' }>['data'];
    expect(fold([placed, { type: 'order.confirmed.v1', data: { ...terms, at } }])).toMatchObject({ status: 'CONFIRMED', reason: null });
  });

  it('ignores events of an order it never saw placed', () => {
    expect(fold([{ type: 'order.rejected.v1', data: { orderId, reason: 'out-of-stock', at: placed.data.at } }])).toBeUndefined();
  });
});

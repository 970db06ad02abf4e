import type { PaymentEvent } from '../domain/payment.js';

// The history of one order's payment, for the given/when/then specs of its use cases.
export const orderId = '5b1c1f4e-6d2a-4c1b-9a8e-2f3d4c5b6a79';

export const chargeRequested = (paymentToken = 'tok_visa'): PaymentEvent => ({
  type: 'payment.charge-requested.v1',
  data: { orderId, amountCents: 4200, currency: 'EUR', paymentToken },
});
export const captured = (chargeId = 'ch_1'): PaymentEvent => ({ type: 'payment.captured.v1', data: { orderId, chargeId, amountCents: 4200, currency: 'EUR' } });
export const declined = (reason = 'card-declined'): PaymentEvent => ({ type: 'payment.declined.v1', data: { orderId, amountCents: 4200, currency: 'EUR', reason } });
export const refundRequested: PaymentEvent = { type: 'payment.refund-requested.v1', data: { orderId, reason: 'payment-timeout' } };
export const refunded = (refundId = 're_1'): PaymentEvent => ({
  type: 'payment.refunded.v1',
  data: { orderId, chargeId: 'ch_1', refundId, amountCents: 4200, currency: 'EUR' },
});
export const refundNotNeeded: PaymentEvent = { type: 'payment.refund-skipped.v1', data: { orderId, reason: 'payment-timeout' } };

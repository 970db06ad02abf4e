import { describe, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { paymentDecider, PaymentStateError, type PaymentCommand, type PaymentEvent } from '../../domain/payment.js';

const orderId = '5b1c1f4e-6d2a-4c1b-9a8e-2f3d4c5b6a79';
const spec = deciderSpec(paymentDecider);

const requestRefund: PaymentCommand = { type: 'request-refund', orderId, reason: 'payment-timeout' };
const recordRefund = (refundId = 're_1'): PaymentCommand => ({ type: 'record-refund', orderId, refundId });

const chargeRequested = (paymentToken = 'tok_visa'): PaymentEvent => ({
  type: 'payment.charge-requested.v1',
  data: { orderId, amountCents: 4200, currency: 'EUR', paymentToken },
});
const captured = (chargeId = 'ch_1'): PaymentEvent => ({ type: 'payment.payment-captured.v1', data: { orderId, chargeId, amountCents: 4200, currency: 'EUR' } });
const declined = (reason = 'card-declined'): PaymentEvent => ({ type: 'payment.payment-declined.v1', data: { orderId, amountCents: 4200, currency: 'EUR', reason } });
const refundRequested: PaymentEvent = { type: 'payment.refund-requested.v1', data: { orderId, reason: 'payment-timeout' } };
const refunded = (refundId = 're_1'): PaymentEvent => ({
  type: 'payment.payment-refunded.v1',
  data: { orderId, chargeId: 'ch_1', refundId, amountCents: 4200, currency: 'EUR' },
});
const refundNotNeeded: PaymentEvent = { type: 'payment.refund-not-needed.v1', data: { orderId, reason: 'payment-timeout' } };

describe('refunding an order (payment decider)', () => {
  describe('requesting a refund', () => {
    it('records a refund of a captured charge', () => spec.given(chargeRequested(), captured()).when(requestRefund).then(refundRequested));
    it('records a refund of a pending charge, to be done when the answer comes', () =>
      spec.given(chargeRequested()).when(requestRefund).then(refundRequested));
    it('records that nothing needs refunding when there never was a charge', () => spec.given().when(requestRefund).then(refundNotNeeded));
    it('records that nothing needs refunding when the charge was declined', () =>
      spec.given(chargeRequested(), declined()).when(requestRefund).then(refundNotNeeded));
    it('does nothing for a second refund request', () => spec.given(chargeRequested(), captured(), refundRequested).when(requestRefund).thenNothing());
    it('does nothing for a second refund request after refunding', () =>
      spec.given(chargeRequested(), captured(), refundRequested, refunded()).when(requestRefund).thenNothing());
    it('does nothing for a second refund request that was not needed', () => spec.given(refundNotNeeded).when(requestRefund).thenNothing());
  });

  describe('recording a refund done at the gateway', () => {
    it('records it with the charge and the amount', () =>
      spec.given(chargeRequested(), captured(), refundRequested).when(recordRefund('re_7')).then(refunded('re_7')));
    it('does not record it twice', () => spec.given(chargeRequested(), captured(), refundRequested, refunded()).when(recordRefund('re_8')).thenNothing());
    it('refuses a refund nobody asked for', () => spec.given(chargeRequested(), captured()).when(recordRefund()).thenThrows(PaymentStateError));
    it('refuses a refund of a charge not captured', () => spec.given(chargeRequested(), refundRequested).when(recordRefund()).thenThrows(PaymentStateError));
  });
});

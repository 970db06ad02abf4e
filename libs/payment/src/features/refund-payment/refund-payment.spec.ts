import { describe, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { captured, chargeRequested, declined, orderId, refunded, refundNotNeeded, refundRequested } from '../payment-examples.js';
import { paymentDecider, PaymentStateError, type PaymentCommand } from '../../domain/payment.js';

const spec = deciderSpec(paymentDecider);

const requestRefund: PaymentCommand = { type: 'request-refund', orderId, reason: 'payment-timeout' };
const recordRefund = (refundId = 're_1'): PaymentCommand => ({ type: 'record-refund', orderId, refundId });

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

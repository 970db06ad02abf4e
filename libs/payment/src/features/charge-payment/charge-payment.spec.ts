import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { deciderSpec } from '@agora/testing';
import { captured, chargeRequested, declined, orderId, refunded, refundNotNeeded, refundRequested } from '../payment-examples.js';
import { paymentDecider, pendingWork, PaymentStateError, REFUNDED_BEFORE_CHARGE, type PaymentCommand, type PaymentEvent } from '../../domain/payment.js';

const spec = deciderSpec(paymentDecider);

const requestCharge = (paymentToken = 'tok_visa'): PaymentCommand => ({ type: 'request-charge', orderId, amountCents: 4200, currency: 'EUR', paymentToken });
const approve = (chargeId = 'ch_1'): PaymentCommand => ({ type: 'settle-charge', orderId, outcome: { outcome: 'approved', chargeId } });
const decline = (reason = 'card-declined'): PaymentCommand => ({ type: 'settle-charge', orderId, outcome: { outcome: 'declined', reason } });

describe('charging an order (payment decider)', () => {
  describe('requesting a charge', () => {
    it('records the request; the gateway is called later', () => spec.given().when(requestCharge()).then(chargeRequested()));
    it('does nothing when the charge was already requested (redelivery)', () => spec.given(chargeRequested()).when(requestCharge()).thenNothing());
    it('does nothing when the charge was already captured', () => spec.given(chargeRequested(), captured()).when(requestCharge()).thenNothing());
    it('does nothing when the charge was already declined', () => spec.given(chargeRequested(), declined()).when(requestCharge()).thenNothing());
    it('declines a charge that arrives after its refund was asked for: no money without goods', () =>
      spec.given(refundNotNeeded).when(requestCharge()).then(declined(REFUNDED_BEFORE_CHARGE)));
  });

  describe('settling a charge with the gateway’s answer', () => {
    it('records the capture with the charge id', () => spec.given(chargeRequested()).when(approve('ch_9')).then(captured('ch_9')));
    it('records the decline with its reason', () => spec.given(chargeRequested()).when(decline('card-declined')).then(declined('card-declined')));
    it('does not settle a captured charge again', () => spec.given(chargeRequested(), captured()).when(approve('ch_2')).thenNothing());
    it('does not settle a declined charge again', () => spec.given(chargeRequested(), declined()).when(approve()).thenNothing());
    it('records a late capture even when a refund waits for it (the processor refunds it next)', () =>
      spec.given(chargeRequested(), refundRequested).when(approve()).then(captured()));
    it('closes a waiting refund as not needed when the late answer is a decline', () =>
      spec.given(chargeRequested(), refundRequested).when(decline()).then(declined(), refundNotNeeded));
    it('refuses an answer to a charge never requested', () => spec.given().when(approve()).thenThrows(PaymentStateError));
  });

  describe('the work left for the payment processor', () => {
    const work = (...history: PaymentEvent[]) => pendingWork(fold(paymentDecider, history));
    it('is the charge while it has no answer', () => expect(work(chargeRequested())).toBe('charge'));
    it('is the charge even when a refund waits for it', () => expect(work(chargeRequested(), refundRequested)).toBe('charge'));
    it('is the refund once the charge is captured', () => expect(work(chargeRequested(), refundRequested, captured())).toBe('refund'));
    it('is nothing when all is settled', () => {
      expect(work()).toBeUndefined();
      expect(work(chargeRequested(), captured())).toBeUndefined();
      expect(work(chargeRequested(), declined())).toBeUndefined();
      expect(work(chargeRequested(), captured(), refundRequested, refunded())).toBeUndefined();
      expect(work(refundNotNeeded)).toBeUndefined();
    });
  });
});

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Message } from '@agora/contracts';
import type { DeadlineReached, Reaction } from '@agora/saga';
import {
  cancelOrder,
  chargePayment,
  checkoutSaga,
  commitReservation,
  confirmOrder,
  refundPayment,
  rejectOrder,
  releaseReservation,
  reserveStock,
  type Checkout,
  type CheckoutInput,
  type CheckoutOrder,
} from './checkout-saga.js';

const now = new Date('2026-11-26T10:00:00.000Z');
const PAYMENT_MS = 20_000;
const RESERVATION_MS = 10_000;
const saga = checkoutSaga({ paymentTimeoutMs: PAYMENT_MS, reservationTimeoutMs: RESERVATION_MS });

const orderId = '0b7a5c1e-4a8e-4d8e-9d43-1f6f2a6f3c55';
const order: CheckoutOrder = { orderId, lines: [{ sku: 'SHIRT', quantity: 2 }], totalCents: 3998, currency: 'EUR', paymentToken: 'tok_visa' };

type Input = CheckoutInput | DeadlineReached;
const input = <I extends Input>(type: I['type'], data: I['data']): I => ({ type, data, messageId: randomUUID() }) as I;
const orderPlaced = () =>
  input('order.placed.v1', {
    orderId,
    customerId: 'c-1',
    lines: [{ sku: 'SHIRT', quantity: 2, unitPriceCents: 1999 }],
    currency: 'EUR',
    totalCents: 3998,
    paymentToken: 'tok_visa',
    requestHash: 'h',
    at: now.toISOString(),
  });
const cancellationRequested = () => input('order.cancellation-requested.v1', { orderId });
const orderConfirmed = () => input('order.confirmed.v1', { orderId });
const stockReserved = () => input('inventory.stock-reserved.v1', { orderId, lines: [{ sku: 'SHIRT', quantity: 2 }] });
const reservationRejected = (reason: 'insufficient-stock' | 'unknown-sku' = 'insufficient-stock') =>
  input('inventory.stock-reservation-rejected.v1', { orderId, sku: 'SHIRT', reason });
const paymentCaptured = () => input('payment.payment-captured.v1', { orderId, chargeId: 'ch_1', amountCents: 3998, currency: 'EUR' });
const paymentDeclined = () => input('payment.payment-declined.v1', { orderId, reason: 'card-declined' });
const deadline = (name: 'payment' | 'reservation' | 'reservation-ttl') => input<DeadlineReached>('saga.deadline-reached', { name });

type Expected = Partial<Pick<Reaction<Checkout>, 'step' | 'status' | 'reason' | 'deadline'>> & { phase?: Checkout['phase'] };

/**
 * Given/when/then for the saga's `react`: folds the given inputs through it (an ignored
 * input keeps the state, as in the runtime), then checks the reaction to the last one.
 */
const checkout = {
  given: (...history: Input[]) => ({
    when: (last: Input) => {
      const state = history.reduce((s, i) => saga.react(s, i, now)?.state ?? s, saga.initialState());
      const reaction = saga.react(state, last, now);
      return {
        /** The reaction sends exactly `send`, in order, and has the expected step, status, reason, deadline and phase. */
        then: (expected: Expected, ...send: Message[]) => {
          expect(reaction).toBeDefined();
          const { phase, ...fields } = expected;
          expect(reaction).toMatchObject(fields);
          if ('deadline' in expected) expect(reaction!.deadline).toEqual(expected.deadline);
          if (phase) expect(reaction!.state.phase).toBe(phase);
          expect(reaction!.send ?? []).toEqual(send);
        },
        /** The input means nothing now: no step, nothing sent. */
        thenIgnores: () => expect(reaction).toBeUndefined(),
      };
    },
  }),
};

const at = (ms: number) => new Date(now.getTime() + ms);

describe('checkout saga', () => {
  describe('on the order being placed', () => {
    it('reserves the stock and waits for inventory until the reservation deadline', () =>
      checkout
        .given()
        .when(orderPlaced())
        .then({ step: 'reserving', phase: 'reserving', deadline: { name: 'reservation', dueAt: at(RESERVATION_MS) } }, reserveStock(order)));

    it('starts once, even if the order is placed again', () => checkout.given(orderPlaced()).when(orderPlaced()).thenIgnores());
  });

  describe('while reserving', () => {
    it('charges the order total when the stock is reserved, and waits until the payment deadline', () =>
      checkout
        .given(orderPlaced())
        .when(stockReserved())
        .then({ step: 'charging', phase: 'charging', deadline: { name: 'payment', dueAt: at(PAYMENT_MS) } }, chargePayment(order)));

    it('rejects the order as out of stock, without any payment, when the reservation is rejected', () =>
      checkout
        .given(orderPlaced())
        .when(reservationRejected())
        .then({ step: 'rejected', phase: 'rejected', status: 'completed', reason: 'out-of-stock', deadline: null }, rejectOrder(orderId, 'out-of-stock')));

    it('rejects the order for an sku inventory does not know', () =>
      checkout
        .given(orderPlaced())
        .when(reservationRejected('unknown-sku'))
        .then({ status: 'completed', reason: 'unknown-sku' }, rejectOrder(orderId, 'unknown-sku')));

    it('releases whatever was reserved and rejects when inventory does not answer in time', () =>
      checkout
        .given(orderPlaced())
        .when(deadline('reservation'))
        .then(
          { step: 'rejected', status: 'completed', reason: 'reservation-timeout', deadline: null },
          releaseReservation(orderId),
          rejectOrder(orderId, 'reservation-timeout'),
        ));

    it('releases the reservation and cancels when the customer cancels', () =>
      checkout
        .given(orderPlaced())
        .when(cancellationRequested())
        .then(
          { step: 'cancelled', phase: 'cancelled', status: 'completed', reason: 'cancelled-by-customer', deadline: null },
          releaseReservation(orderId),
          cancelOrder(orderId),
        ));

    it('ignores a payment deadline it never set', () => checkout.given(orderPlaced()).when(deadline('payment')).thenIgnores());

    it('is stuck, and refunds, when money is captured before a charge was asked for', () =>
      checkout
        .given(orderPlaced())
        .when(paymentCaptured())
        .then({ status: 'stuck', reason: expect.stringMatching(/before a charge was asked for/) as never }, refundPayment(orderId, 'captured-without-charge-request')));

    it('is stuck when payment declines before a charge was asked for', () =>
      checkout.given(orderPlaced()).when(paymentDeclined()).then({ status: 'stuck', step: 'reserving', deadline: null }));
  });

  describe('while charging', () => {
    const charging = () => [orderPlaced(), stockReserved()];

    it('asks the order to confirm when the payment is captured, and commits nothing yet', () =>
      checkout
        .given(...charging())
        .when(paymentCaptured())
        .then({ step: 'confirming', phase: 'confirming', deadline: null }, confirmOrder(orderId)));

    it('releases the stock when the payment is declined', () =>
      checkout
        .given(...charging())
        .when(paymentDeclined())
        .then(
          { step: 'rejected', status: 'completed', reason: 'payment-declined', deadline: null },
          releaseReservation(orderId),
          rejectOrder(orderId, 'payment-declined'),
        ));

    it('refunds (a no-op if never charged), releases and rejects when payment does not answer in time', () =>
      checkout
        .given(...charging())
        .when(deadline('payment'))
        .then(
          { step: 'rejected', status: 'completed', reason: 'payment-timeout', deadline: null },
          refundPayment(orderId, 'payment-timeout'),
          releaseReservation(orderId),
          rejectOrder(orderId, 'payment-timeout'),
        ));

    it('refunds, releases and cancels when the customer cancels', () =>
      checkout
        .given(...charging())
        .when(cancellationRequested())
        .then(
          { step: 'cancelled', status: 'completed', reason: 'cancelled-by-customer', deadline: null },
          refundPayment(orderId, 'cancelled-by-customer'),
          releaseReservation(orderId),
          cancelOrder(orderId),
        ));

    it('charges once, even if the stock is reported reserved again', () => checkout.given(...charging()).when(stockReserved()).thenIgnores());

    it('ignores a reservation deadline that was replaced', () => checkout.given(...charging()).when(deadline('reservation')).thenIgnores());

    it('is stuck when inventory rejects a reservation it had made', () =>
      checkout
        .given(...charging())
        .when(reservationRejected())
        .then({ status: 'stuck', step: 'charging', deadline: null, reason: expect.stringMatching(/after it had reserved/) as never }));
  });

  describe('while confirming', () => {
    const confirming = () => [orderPlaced(), stockReserved(), paymentCaptured()];

    it('commits the reservation and completes once the order says it is confirmed', () =>
      checkout.given(...confirming()).when(orderConfirmed()).then({ step: 'confirmed', phase: 'confirmed', status: 'completed' }, commitReservation(orderId)));

    it('refunds, releases and cancels when the order accepted a cancellation first (it then refuses the confirmation)', () =>
      checkout
        .given(...confirming())
        .when(cancellationRequested())
        .then(
          { step: 'cancelled', phase: 'cancelled', status: 'completed', reason: 'cancelled-by-customer', deadline: null },
          refundPayment(orderId, 'cancelled-by-customer'),
          releaseReservation(orderId),
          cancelOrder(orderId),
        ));

    it('asks once, even if the payment is reported captured again', () => checkout.given(...confirming()).when(paymentCaptured()).thenIgnores());
  });

  describe('after confirming', () => {
    const confirmedCheckout = () => [orderPlaced(), stockReserved(), paymentCaptured(), orderConfirmed()];

    it('confirms once, even if the payment is reported captured again', () => checkout.given(...confirmedCheckout()).when(paymentCaptured()).thenIgnores());
    it('ignores a late reservation report', () => checkout.given(...confirmedCheckout()).when(stockReserved()).thenIgnores());
    it('ignores a cancellation that came too late', () => checkout.given(...confirmedCheckout()).when(cancellationRequested()).thenIgnores());
    it('is stuck when payment declines a payment it had captured', () =>
      checkout
        .given(...confirmedCheckout())
        .when(paymentDeclined())
        .then({ status: 'stuck', step: 'confirmed', reason: expect.stringMatching(/after capturing/) as never }));
  });

  describe('after giving up (late answers)', () => {
    it('refunds a payment captured after the payment deadline: no money without goods', () =>
      checkout
        .given(orderPlaced(), stockReserved(), deadline('payment'))
        .when(paymentCaptured())
        .then({ step: 'refunding-late-payment', phase: 'rejected' }, refundPayment(orderId, 'captured-after-rejected')));

    it('refunds a payment captured after the customer cancelled', () =>
      checkout
        .given(orderPlaced(), stockReserved(), cancellationRequested())
        .when(paymentCaptured())
        .then({ phase: 'cancelled' }, refundPayment(orderId, 'captured-after-cancelled')));

    it('releases stock reserved after the reservation deadline', () =>
      checkout
        .given(orderPlaced(), deadline('reservation'))
        .when(stockReserved())
        .then({ step: 'releasing-late-reservation', phase: 'rejected' }, releaseReservation(orderId)));

    it('releases stock reserved after the customer cancelled', () =>
      checkout.given(orderPlaced(), cancellationRequested()).when(stockReserved()).then({ phase: 'cancelled' }, releaseReservation(orderId)));

    it('ignores a late reservation rejection: nothing is held', () =>
      checkout.given(orderPlaced(), deadline('reservation')).when(reservationRejected()).thenIgnores());

    it('ignores a late decline (payment refusing a charge whose refund was asked for)', () =>
      checkout.given(orderPlaced(), stockReserved(), deadline('payment')).when(paymentDeclined()).thenIgnores());

    it('ignores a cancellation after the order was rejected', () =>
      checkout.given(orderPlaced(), reservationRejected()).when(cancellationRequested()).thenIgnores());

    it('ignores a deadline once done', () => checkout.given(orderPlaced(), reservationRejected()).when(deadline('reservation')).thenIgnores());
  });

  describe('with a reservation TTL', () => {
    const TTL_MS = 15_000;
    const ttlSaga = checkoutSaga({ paymentTimeoutMs: PAYMENT_MS, reservationTimeoutMs: RESERVATION_MS, reservationTtlMs: TTL_MS });
    /** The state after each input, handled at the instant beside it. */
    const after = (...history: [Input, Date][]) => history.reduce((s, [i, when]) => ttlSaga.react(s, i, when)?.state ?? s, ttlSaga.initialState());

    it('waits for inventory for its own timeout, whatever the TTL', () => {
      const short = checkoutSaga({ reservationTimeoutMs: RESERVATION_MS, reservationTtlMs: 4_000 });
      expect(short.react(short.initialState(), orderPlaced(), now)?.deadline).toEqual({ name: 'reservation', dueAt: at(RESERVATION_MS) });
    });

    it('counts the TTL from the request to reserve: the payment wait ends where the TTL does', () => {
      const reaction = ttlSaga.react(after([orderPlaced(), now]), stockReserved(), at(5_000));
      expect(reaction).toMatchObject({ step: 'charging', deadline: { name: 'reservation-ttl', dueAt: at(TTL_MS) } });
    });

    it('keeps the payment deadline when payment is due before the TTL ends', () => {
      const quick = checkoutSaga({ paymentTimeoutMs: 3_000, reservationTtlMs: TTL_MS });
      const charging = quick.react(quick.initialState(), orderPlaced(), now)!.state;
      expect(quick.react(charging, stockReserved(), at(1_000))?.deadline).toEqual({ name: 'payment', dueAt: at(4_000) });
    });

    it('refunds (a no-op if never charged), releases the stock and rejects as expired when payment has not answered by the TTL', () => {
      const reaction = ttlSaga.react(after([orderPlaced(), now], [stockReserved(), at(5_000)]), deadline('reservation-ttl'), at(TTL_MS));
      expect(reaction).toMatchObject({ step: 'rejected', status: 'completed', reason: 'reservation-expired', deadline: null, state: { phase: 'rejected' } });
      expect(reaction?.send).toEqual([refundPayment(orderId, 'reservation-expired'), releaseReservation(orderId), rejectOrder(orderId, 'reservation-expired')]);
    });

    it('releases stock reserved after the TTL ended at once, without charging, and rejects as expired', () => {
      const reaction = ttlSaga.react(after([orderPlaced(), now]), stockReserved(), at(TTL_MS));
      expect(reaction).toMatchObject({ step: 'rejected', status: 'completed', reason: 'reservation-expired', deadline: null });
      expect(reaction?.send).toEqual([releaseReservation(orderId), rejectOrder(orderId, 'reservation-expired')]);
    });

    it('ignores the TTL while reserving (the reservation deadline is pending then)', () =>
      expect(ttlSaga.react(after([orderPlaced(), now]), deadline('reservation-ttl'), at(TTL_MS))).toBeUndefined());

    it('refunds a payment captured after the TTL released the stock', () => {
      const expired = after([orderPlaced(), now], [stockReserved(), at(5_000)], [deadline('reservation-ttl'), at(TTL_MS)]);
      expect(ttlSaga.react(expired, paymentCaptured(), at(TTL_MS + 1))?.send).toEqual([refundPayment(orderId, 'captured-after-rejected')]);
    });

    it('ignores the TTL once payment has answered', () =>
      expect(ttlSaga.react(after([orderPlaced(), now], [stockReserved(), now], [paymentCaptured(), now]), deadline('reservation-ttl'), at(TTL_MS))).toBeUndefined());

    it('keeps the payment deadline for a checkout begun before there was a TTL', () => {
      const begunBefore: Checkout = { phase: 'reserving', order };
      expect(ttlSaga.react(begunBefore, stockReserved(), now)?.deadline).toEqual({ name: 'payment', dueAt: at(PAYMENT_MS) });
    });
  });

  describe('before the order was placed', () => {
    it('is stuck, with the reason, on an answer about an order it never saw', () =>
      checkout
        .given()
        .when(stockReserved())
        .then({ status: 'stuck', step: 'awaiting-order', reason: `inventory.stock-reserved.v1 for order ${orderId} arrived before the order was placed` }));
  });

  it('belongs to the order: one saga per order id', () => {
    expect(saga.sagaIdOf(paymentCaptured() as CheckoutInput)).toBe(orderId);
    expect(saga.category).toBe('checkout');
  });
});

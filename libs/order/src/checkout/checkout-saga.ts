import type { Message, MessageData } from '@agora/contracts';
import { streamName, type Event, type IdentifiedEvent } from '@agora/event-sourcing';
import type { DeadlineReached, LocalAggregate, Reaction, SagaDefinition, SagaInput } from '@agora/saga';
import { ORDER_CATEGORY, orderDecider, type OrderCommand, type OrderEvent, type OrderPlacedData, type OrderState } from '../domain/order.js';
import { orderCommandOf } from '../integration/order-commands.handler.js';

/**
 * The checkout saga as pure functions: one instance per order
 * (`checkout-<orderId>`), run by the saga runtime, which persists each reaction and its
 * commands atomically and handles each input once (by message id).
 *
 *   placed ─► reserve ─► reserved ─► charge ─► captured ─► confirm ─► confirmed ─► commit
 *                 │                     ├► declined ─► release + reject
 *                 │                     └► deadline or TTL ─► refund + release + reject
 *                 ├► reserved after the TTL ─► release + reject (no charge)
 *                 ├► reservation rejected ─► reject (nothing to compensate)
 *                 └► deadline ─► release + reject
 *   cancellation requested while reserving, charging or confirming ─► compensate so far + cancel
 *
 * The order's own stream decides between a customer's cancellation and the confirmation:
 * the order accepts a cancellation only while it is pending, and refuses to be confirmed
 * once a cancellation was accepted. So the saga asks the order to confirm and commits the
 * stock only when the order says it is confirmed; a cancellation the order accepted
 * first reaches the saga instead, which refunds the captured payment, releases the stock
 * and cancels. Every cancellation answered 202 ends CANCELLED, every other is refused.
 *
 * The reservation's TTL bounds how long the order may hold stock before payment has
 * answered, counted from the request to reserve (inventory may hold the stock from then):
 * the charging step waits for the payment timeout or the end of the TTL, whichever comes
 * first, and stock reserved after the TTL ended is released without a charge. Either way
 * the order is rejected, as `reservation-expired` when the TTL ended it.
 *
 * The saga completes as soon as it has sent the order's outcome; it still reacts to late
 * answers (stock reserved or money captured after it gave up) by compensating them. An
 * answer that contradicts what the saga knows marks it stuck, with the reason, for an
 * operator.
 */
export const CHECKOUT_CATEGORY = 'checkout';

export const DEFAULT_PAYMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_RESERVATION_TIMEOUT_MS = 30_000;
export const DEFAULT_RESERVATION_TTL_MS = 20_000;

/** The deadline that ends a held reservation whose payment has not answered in time. */
const RESERVATION_TTL = 'reservation-ttl';

export type CheckoutInput =
  | SagaInput<'order.placed.v1', OrderPlacedData>
  | SagaInput<'order.cancellation-requested.v1', { readonly orderId: string }>
  | SagaInput<'order.confirmed.v1', { readonly orderId: string }>
  | SagaInput<'inventory.stock-reserved.v1', MessageData<'inventory.stock-reserved.v1'>>
  | SagaInput<'inventory.stock-reservation-rejected.v1', MessageData<'inventory.stock-reservation-rejected.v1'>>
  | SagaInput<'payment.payment-captured.v1', MessageData<'payment.payment-captured.v1'>>
  | SagaInput<'payment.payment-declined.v1', MessageData<'payment.payment-declined.v1'>>;

export type CheckoutInputType = CheckoutInput['type'];

/** Where the checkout stands; `confirmed`, `rejected` and `cancelled` are outcomes. */
export type CheckoutPhase = 'awaiting-order' | 'reserving' | 'charging' | 'confirming' | 'confirmed' | 'rejected' | 'cancelled';

export interface CheckoutOrder {
  readonly orderId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly totalCents: number;
  readonly currency: string;
  readonly paymentToken: string;
}

export interface Checkout {
  readonly phase: CheckoutPhase;
  readonly order: CheckoutOrder | null;
  /** ISO-8601 instant at which the reservation's TTL ends; absent in checkouts begun before there was one. */
  readonly heldUntil?: string;
}

export type RejectionReason = 'out-of-stock' | 'unknown-sku' | 'payment-declined' | 'payment-timeout' | 'reservation-timeout' | 'reservation-expired';

export const CANCELLED_BY_CUSTOMER = 'cancelled-by-customer';

export interface CheckoutOptions {
  /** How long to wait for payment's answer to the charge. Default 30 s. */
  readonly paymentTimeoutMs?: number;
  /** How long to wait for inventory's answer to the reservation. Default 30 s. */
  readonly reservationTimeoutMs?: number;
  /** How long the order may hold stock before payment has answered, from the request to reserve. Default 20 s. */
  readonly reservationTtlMs?: number;
}

export type CheckoutSaga = SagaDefinition<Checkout, CheckoutInput>;

export function checkoutSaga(options: CheckoutOptions = {}): CheckoutSaga {
  const paymentTimeoutMs = options.paymentTimeoutMs ?? DEFAULT_PAYMENT_TIMEOUT_MS;
  const reservationTimeoutMs = options.reservationTimeoutMs ?? DEFAULT_RESERVATION_TIMEOUT_MS;
  const reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;

  function react(state: Checkout, input: CheckoutInput | DeadlineReached, now: Date): Reaction<Checkout> | undefined {
    const after = (ms: number) => new Date(now.getTime() + ms);
    const { phase, order } = state;
    if (input.type === 'order.placed.v1') {
      if (phase !== 'awaiting-order') return undefined; // the order is already being checked out
      const placed = checkoutOrderOf(input.data);
      const heldUntil = after(reservationTtlMs).toISOString();
      return {
        state: { ...state, phase: 'reserving', order: placed, heldUntil },
        step: 'reserving',
        send: [reserveStock(placed)],
        deadline: { name: 'reservation', dueAt: after(reservationTimeoutMs) },
      };
    }
    if (input.type === 'saga.deadline-reached') {
      // The runtime delivers only the pending deadline; the phase check keeps a stale one harmless.
      const { name } = input.data;
      if (name === 'reservation' && phase === 'reserving') return reject(state, 'reservation-timeout', [releaseReservation(order!.orderId)]);
      if ((name === 'payment' || name === RESERVATION_TTL) && phase === 'charging') {
        const reason = name === RESERVATION_TTL ? 'reservation-expired' : 'payment-timeout';
        return reject(state, reason, [refundPayment(order!.orderId, reason), releaseReservation(order!.orderId)]);
      }
      return undefined;
    }
    const { orderId } = input.data;
    if (!order) return stuck(state, `${input.type} for order ${orderId} arrived before the order was placed`);

    switch (input.type) {
      case 'order.cancellation-requested.v1':
        switch (phase) {
          case 'reserving':
            return cancel(state, [releaseReservation(orderId)]);
          case 'charging':
          case 'confirming': // accepted before the confirmation, so the order refuses that
            return cancel(state, [refundPayment(orderId, CANCELLED_BY_CUSTOMER), releaseReservation(orderId)]);
          default:
            return undefined; // too late: the order's outcome was already decided
        }

      case 'order.confirmed.v1':
        switch (phase) {
          case 'confirming':
            return { state: { ...state, phase: 'confirmed' }, step: 'confirmed', send: [commitReservation(orderId)], status: 'completed' };
          case 'confirmed':
            return undefined; // confirmed when the saga asked for it together with the commit
          default:
            return stuck(state, `order ${orderId} was confirmed while its checkout was ${phase}`);
        }

      case 'inventory.stock-reserved.v1':
        switch (phase) {
          case 'reserving': {
            const heldUntil = state.heldUntil === undefined ? Infinity : Date.parse(state.heldUntil);
            // Inventory answered after the TTL ended: nothing is charged for stock that goes back at once.
            if (heldUntil <= now.getTime()) return reject(state, 'reservation-expired', [releaseReservation(orderId)]);
            const paymentDue = now.getTime() + paymentTimeoutMs;
            return {
              state: { ...state, phase: 'charging' },
              step: 'charging',
              send: [chargePayment(order)],
              deadline: heldUntil < paymentDue ? { name: RESERVATION_TTL, dueAt: new Date(heldUntil) } : { name: 'payment', dueAt: new Date(paymentDue) },
            };
          }
          case 'rejected':
          case 'cancelled':
            // Reserved after the saga gave up: put the stock back.
            return { state, step: 'releasing-late-reservation', send: [releaseReservation(orderId)] };
          default:
            return undefined; // already charging or done: the reservation is known
        }

      case 'inventory.stock-reservation-rejected.v1':
        switch (phase) {
          case 'reserving':
            return reject(state, input.data.reason === 'unknown-sku' ? 'unknown-sku' : 'out-of-stock', []);
          case 'rejected':
          case 'cancelled':
            return undefined; // the saga gave up already, and nothing is held
          default:
            return stuck(state, `inventory rejected the reservation of order ${orderId} (${input.data.reason}) after it had reserved the stock`);
        }

      case 'payment.payment-captured.v1':
        switch (phase) {
          case 'charging':
            return { state: { ...state, phase: 'confirming' }, step: 'confirming', send: [confirmOrder(orderId)], deadline: null };
          case 'confirming':
          case 'confirmed':
            return undefined;
          case 'rejected':
          case 'cancelled':
            // No money without goods: a capture after the saga gave up is given back.
            return { state, step: 'refunding-late-payment', send: [refundPayment(orderId, `captured-after-${phase}`)] };
          default:
            return stuck(state, `payment captured ${input.data.amountCents} ${input.data.currency} for order ${orderId} before a charge was asked for; refund requested`, [
              refundPayment(orderId, 'captured-without-charge-request'),
            ]);
        }

      case 'payment.payment-declined.v1':
        switch (phase) {
          case 'charging':
            return reject(state, 'payment-declined', [releaseReservation(orderId)]);
          case 'rejected':
          case 'cancelled':
            return undefined; // e.g. payment refusing a charge whose refund was already asked for
          case 'confirming':
          case 'confirmed':
            return stuck(state, `payment declined order ${orderId} (${input.data.reason}) after capturing its payment`);
          default:
            return stuck(state, `payment declined order ${orderId} (${input.data.reason}) before a charge was asked for`);
        }

      default:
        return unreachable(input);
    }
  }

  return {
    category: CHECKOUT_CATEGORY,
    sagaIdOf: (input) => input.data.orderId,
    initialState: () => ({ phase: 'awaiting-order', order: null }),
    react,
    local: checkoutOrder,
    compensations: ['inventory.release-reservation.v1', 'payment.refund-payment.v1'],
  };
}

/**
 * The order the checkout runs beside, in the same context and store: the saga's
 * commands to it (confirm, reject, cancel) are decided in the saga's own append, and the
 * confirmation it answers with is the saga's next input in that same step.
 */
const checkoutOrder: LocalAggregate<CheckoutInput, OrderCommand, OrderEvent, OrderState> = {
  decider: orderDecider,
  streamOf: (orderId) => streamName(ORDER_CATEGORY, orderId),
  commandOf: orderCommandOf,
  inputOf: (event) => checkoutInputOf(event),
};

/** The order's own events the saga reacts to; the rest of the order stream means nothing to it. */
export function checkoutInputOf(event: IdentifiedEvent<Event>): CheckoutInput | undefined {
  switch (event.type) {
    case 'order.placed.v1':
    case 'order.cancellation-requested.v1':
    case 'order.confirmed.v1':
      return { type: event.type, data: event.data, messageId: event.messageId } as CheckoutInput;
    default:
      return undefined;
  }
}

function reject(state: Checkout, reason: RejectionReason, compensations: readonly Message[]): Reaction<Checkout> {
  return {
    state: { ...state, phase: 'rejected' },
    step: 'rejected',
    send: [...compensations, rejectOrder(state.order!.orderId, reason)],
    deadline: null,
    status: 'completed',
    reason,
  };
}

function cancel(state: Checkout, compensations: readonly Message[]): Reaction<Checkout> {
  return {
    state: { ...state, phase: 'cancelled' },
    step: 'cancelled',
    send: [...compensations, cancelOrder(state.order!.orderId)],
    deadline: null,
    status: 'completed',
    reason: CANCELLED_BY_CUSTOMER,
  };
}

/** An input that contradicts what the saga knows: ends it visibly, for an operator. */
function stuck(state: Checkout, reason: string, send: readonly Message[] = []): Reaction<Checkout> {
  return { state, step: state.phase, send, deadline: null, status: 'stuck', reason };
}

function checkoutOrderOf(placed: OrderPlacedData): CheckoutOrder {
  const { orderId, lines, totalCents, currency, paymentToken } = placed;
  return { orderId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })), totalCents, currency, paymentToken };
}

export function reserveStock(order: CheckoutOrder): Message<'inventory.reserve-stock.v1'> {
  return { type: 'inventory.reserve-stock.v1', key: order.orderId, data: { orderId: order.orderId, lines: order.lines.map((line) => ({ ...line })) } };
}

export function chargePayment(order: CheckoutOrder): Message<'payment.charge-payment.v1'> {
  const { orderId, totalCents, currency, paymentToken } = order;
  return { type: 'payment.charge-payment.v1', key: orderId, data: { orderId, amountCents: totalCents, currency, paymentToken } };
}

export function releaseReservation(orderId: string): Message<'inventory.release-reservation.v1'> {
  return { type: 'inventory.release-reservation.v1', key: orderId, data: { orderId } };
}

export function commitReservation(orderId: string): Message<'inventory.commit-reservation.v1'> {
  return { type: 'inventory.commit-reservation.v1', key: orderId, data: { orderId } };
}

export function refundPayment(orderId: string, reason: string): Message<'payment.refund-payment.v1'> {
  return { type: 'payment.refund-payment.v1', key: orderId, data: { orderId, reason } };
}

export function confirmOrder(orderId: string): Message<'order.confirm-order.v1'> {
  return { type: 'order.confirm-order.v1', key: orderId, data: { orderId } };
}

export function rejectOrder(orderId: string, reason: string): Message<'order.reject-order.v1'> {
  return { type: 'order.reject-order.v1', key: orderId, data: { orderId, reason } };
}

export function cancelOrder(orderId: string): Message<'order.cancel-order.v1'> {
  return { type: 'order.cancel-order.v1', key: orderId, data: { orderId } };
}

function unreachable(value: never): never {
  throw new Error(`Unhandled checkout input ${JSON.stringify(value)}`);
}

/** Nest injection token of the configured `CheckoutSaga`. */
export const CHECKOUT_SAGA = Symbol('CheckoutSaga');

import type { Decider, Event } from '@agora/event-sourcing';

/**
 * One order's payment, stream `payment-<orderId>`: at most one charge and at most one
 * refund. These events are private to the payment context; the outbound mapping turns
 * the ones the saga needs into `payment.*` integration events.
 */
export type PaymentEvent =
  /** Recorded when the saga asks; the gateway is called later, by the payment processor. */
  | Event<'payment.charge-requested.v1', { orderId: string; amountCents: number; currency: string; paymentToken: string }>
  | Event<'payment.captured.v1', { orderId: string; chargeId: string; amountCents: number; currency: string }>
  | Event<'payment.declined.v1', { orderId: string; amountCents: number; currency: string; reason: string }>
  | Event<'payment.refund-requested.v1', { orderId: string; reason: string }>
  | Event<'payment.refunded.v1', { orderId: string; chargeId: string; refundId: string; amountCents: number; currency: string }>
  | Event<'payment.refund-skipped.v1', { orderId: string; reason: string }>;

export type PaymentEventType = PaymentEvent['type'];

export type PaymentCommand =
  | { type: 'request-charge'; orderId: string; amountCents: number; currency: string; paymentToken: string }
  | { type: 'settle-charge'; orderId: string; outcome: { outcome: 'approved'; chargeId: string } | { outcome: 'declined'; reason: string } }
  | { type: 'request-refund'; orderId: string; reason: string }
  | { type: 'record-refund'; orderId: string; refundId: string };

export interface Charge {
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentToken?: string;
  readonly status: 'pending' | 'captured' | 'declined';
  readonly chargeId?: string;
  readonly reason?: string;
}

export interface Refund {
  readonly status: 'pending' | 'refunded' | 'not-needed';
  readonly reason: string;
  readonly refundId?: string;
}

export interface Payment {
  readonly charge?: Charge;
  readonly refund?: Refund;
}

/** Reason of the decline recorded when a charge arrives after its order's refund was asked for. */
export const REFUNDED_BEFORE_CHARGE = 'refund-requested-before-charge';

/** A command that the payment processor may only send in a state it has checked: a bug if it happens. */
export class PaymentStateError extends Error {
  override readonly name = 'PaymentStateError';
}

export function decide(command: PaymentCommand, state: Payment): PaymentEvent[] {
  const { orderId } = command;
  switch (command.type) {
    case 'request-charge': {
      if (state.charge) return []; // redelivery: one charge per order
      const { amountCents, currency } = command;
      // The order is being compensated already: taking money now would be money without goods.
      if (state.refund) return [{ type: 'payment.declined.v1', data: { orderId, amountCents, currency, reason: REFUNDED_BEFORE_CHARGE } }];
      return [{ type: 'payment.charge-requested.v1', data: { orderId, amountCents, currency, paymentToken: command.paymentToken } }];
    }
    case 'settle-charge': {
      const charge = state.charge;
      if (!charge) throw new PaymentStateError(`No charge was requested for order ${orderId}.`);
      if (charge.status !== 'pending') return []; // the answer is already recorded
      const { amountCents, currency } = charge;
      if (command.outcome.outcome === 'approved') {
        return [{ type: 'payment.captured.v1', data: { orderId, chargeId: command.outcome.chargeId, amountCents, currency } }];
      }
      const declined: PaymentEvent = { type: 'payment.declined.v1', data: { orderId, amountCents, currency, reason: command.outcome.reason } };
      // A refund waiting for this answer has nothing to give back.
      return state.refund?.status === 'pending'
        ? [declined, { type: 'payment.refund-skipped.v1', data: { orderId, reason: state.refund.reason } }]
        : [declined];
    }
    case 'request-refund': {
      if (state.refund) return []; // redelivery: one refund per order
      const { reason } = command;
      if (!state.charge || state.charge.status === 'declined') return [{ type: 'payment.refund-skipped.v1', data: { orderId, reason } }];
      // Captured: the processor refunds now. Pending: it refunds when the (late) capture arrives.
      return [{ type: 'payment.refund-requested.v1', data: { orderId, reason } }];
    }
    case 'record-refund': {
      const { charge, refund } = state;
      if (!refund || charge?.status !== 'captured' || !charge.chargeId) {
        throw new PaymentStateError(`Order ${orderId} has no captured charge with a requested refund.`);
      }
      if (refund.status !== 'pending') return [];
      const data = { orderId, chargeId: charge.chargeId, refundId: command.refundId, amountCents: charge.amountCents, currency: charge.currency };
      return [{ type: 'payment.refunded.v1', data }];
    }
    default:
      return unreachable(command);
  }
}

export function evolve(state: Payment, event: PaymentEvent): Payment {
  switch (event.type) {
    case 'payment.charge-requested.v1': {
      const { amountCents, currency, paymentToken } = event.data;
      return { ...state, charge: { amountCents, currency, paymentToken, status: 'pending' } };
    }
    case 'payment.captured.v1': {
      const { amountCents, currency, chargeId } = event.data;
      return { ...state, charge: { amountCents, currency, chargeId, status: 'captured' } };
    }
    case 'payment.declined.v1': {
      const { amountCents, currency, reason } = event.data;
      return { ...state, charge: { amountCents, currency, reason, status: 'declined' } };
    }
    case 'payment.refund-requested.v1':
      return { ...state, refund: { status: 'pending', reason: event.data.reason } };
    case 'payment.refunded.v1':
      return { ...state, refund: { status: 'refunded', reason: state.refund?.reason ?? '', refundId: event.data.refundId } };
    case 'payment.refund-skipped.v1':
      return { ...state, refund: { status: 'not-needed', reason: event.data.reason } };
    default:
      return unreachable(event);
  }
}

export const paymentDecider: Decider<PaymentCommand, PaymentEvent, Payment> = {
  decide,
  evolve,
  initialState: () => ({}),
};

/** What the payment processor must do for an order, given its state. */
export function pendingWork(state: Payment): 'charge' | 'refund' | undefined {
  if (state.charge?.status === 'pending') return 'charge';
  if (state.charge?.status === 'captured' && state.refund?.status === 'pending') return 'refund';
  return undefined;
}

export function isPaymentEvent(event: Event): event is PaymentEvent {
  return Object.hasOwn(EVENT_TYPES, event.type);
}

const EVENT_TYPES = {
  'payment.charge-requested.v1': true,
  'payment.captured.v1': true,
  'payment.declined.v1': true,
  'payment.refund-requested.v1': true,
  'payment.refunded.v1': true,
  'payment.refund-skipped.v1': true,
} satisfies Record<PaymentEventType, true>;

/** The names of its events, each once. */
export const PAYMENT_EVENT_TYPES = Object.keys(EVENT_TYPES) as PaymentEventType[];

function unreachable(value: never): never {
  throw new Error(`Unhandled: ${JSON.stringify(value)}`);
}

import type { RecordedEvent } from '@agora/event-sourcing';
import { isPaymentEvent } from '../../domain/payment.js';

export interface ChargeView {
  /** The gateway's id; only once captured. */
  chargeId?: string;
  amountCents: number;
  currency: string;
  status: 'captured' | 'declined' | 'pending';
  reason?: string;
  /** When the charge reached this status. */
  at: string;
}

export interface RefundView {
  refundId?: string;
  chargeId?: string;
  /** What is (or was) given back: 0 when nothing needed refunding. */
  amountCents: number;
  status: 'refunded' | 'not-needed' | 'pending';
  at: string;
}

export interface PaymentsView {
  orderId: string;
  charges: ChargeView[];
  refunds: RefundView[];
}

/** Pure: an order's payment view after one of its events (other events change nothing). */
export function evolvePaymentsView(view: PaymentsView, event: RecordedEvent): PaymentsView {
  if (!isPaymentEvent(event)) return view;
  const charge = view.charges[0];
  const refund = view.refunds[0];
  const at = event.metadata.occurredAt;
  const withCharge = (next: ChargeView): PaymentsView => ({ ...view, charges: [next] });
  const withRefund = (next: RefundView): PaymentsView => ({ ...view, refunds: [next] });
  switch (event.type) {
    case 'payment.charge-requested.v1':
      return withCharge({ amountCents: event.data.amountCents, currency: event.data.currency, status: 'pending', at });
    case 'payment.captured.v1': {
      const { chargeId, amountCents, currency } = event.data;
      const captured = withCharge({ chargeId, amountCents, currency, status: 'captured', at });
      return refund?.status === 'pending' ? { ...captured, refunds: [{ ...refund, chargeId }] } : captured;
    }
    case 'payment.declined.v1': {
      const { amountCents, currency, reason } = event.data;
      return withCharge({ amountCents, currency, status: 'declined', reason, at });
    }
    case 'payment.refund-requested.v1':
      return withRefund({ ...(charge?.chargeId && { chargeId: charge.chargeId }), amountCents: charge?.amountCents ?? 0, status: 'pending', at });
    case 'payment.refunded.v1': {
      const { refundId, chargeId, amountCents } = event.data;
      return withRefund({ refundId, chargeId, amountCents, status: 'refunded', at });
    }
    case 'payment.refund-skipped.v1':
      return withRefund({ amountCents: 0, status: 'not-needed', at });
  }
}

/** An order's payment as the API shows it, folded from its events (none: empty lists). */
export function paymentsView(orderId: string, events: readonly RecordedEvent[]): PaymentsView {
  return events.reduce(evolvePaymentsView, { orderId, charges: [], refunds: [] });
}

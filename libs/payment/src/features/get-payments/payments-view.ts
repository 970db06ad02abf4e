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

/** An order's payment as the API shows it, folded from its stream (an empty stream: empty lists). */
export function paymentsView(orderId: string, events: readonly RecordedEvent[]): PaymentsView {
  let charge: ChargeView | undefined;
  let refund: RefundView | undefined;
  for (const event of events) {
    if (!isPaymentEvent(event)) continue;
    const at = event.metadata.occurredAt;
    switch (event.type) {
      case 'payment.charge-requested.v1':
        charge = { amountCents: event.data.amountCents, currency: event.data.currency, status: 'pending', at };
        break;
      case 'payment.payment-captured.v1': {
        const { chargeId, amountCents, currency } = event.data;
        charge = { chargeId, amountCents, currency, status: 'captured', at };
        if (refund?.status === 'pending') refund = { ...refund, chargeId };
        break;
      }
      case 'payment.payment-declined.v1': {
        const { amountCents, currency, reason } = event.data;
        charge = { amountCents, currency, status: 'declined', reason, at };
        break;
      }
      case 'payment.refund-requested.v1':
        refund = { ...(charge?.chargeId && { chargeId: charge.chargeId }), amountCents: charge?.amountCents ?? 0, status: 'pending', at };
        break;
      case 'payment.payment-refunded.v1': {
        const { refundId, chargeId, amountCents } = event.data;
        refund = { refundId, chargeId, amountCents, status: 'refunded', at };
        break;
      }
      case 'payment.refund-not-needed.v1':
        refund = { amountCents: 0, status: 'not-needed', at };
        break;
    }
  }
  return { orderId, charges: charge ? [charge] : [], refunds: refund ? [refund] : [] };
}

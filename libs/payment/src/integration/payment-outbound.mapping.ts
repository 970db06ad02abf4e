import type { RecordedEvent } from '@agora/event-sourcing';
import type { Message } from '@agora/contracts';
import type { OutboundMapping } from '@agora/messaging';
import { isPaymentEvent } from '../domain/payment.js';

/**
 * What payment tells the other contexts, keyed by order id: the answers to the saga's
 * commands. Requests (charge-requested, refund-requested) and the card token stay inside.
 */
export class PaymentOutboundMapping implements OutboundMapping<Message> {
  readonly name = 'payment';
  readonly categories = ['payment'] as const;

  map(event: RecordedEvent): readonly Message[] {
    if (!isPaymentEvent(event)) return [];
    switch (event.type) {
      case 'payment.captured.v1': {
        const { orderId, chargeId, amountCents, currency } = event.data;
        return [{ type: 'payment.payment-captured.v1', key: orderId, data: { orderId, chargeId, amountCents, currency } }];
      }
      case 'payment.declined.v1': {
        const { orderId, reason } = event.data;
        return [{ type: 'payment.payment-declined.v1', key: orderId, data: { orderId, reason } }];
      }
      case 'payment.refunded.v1': {
        const { orderId, chargeId, amountCents, currency } = event.data;
        return [{ type: 'payment.payment-refunded.v1', key: orderId, data: { orderId, chargeId, amountCents, currency } }];
      }
      case 'payment.refund-skipped.v1': {
        const { orderId } = event.data;
        return [{ type: 'payment.refund-not-needed.v1', key: orderId, data: { orderId } }];
      }
      case 'payment.charge-requested.v1':
      case 'payment.refund-requested.v1':
        return [];
      default:
        return unreachable(event);
    }
  }
}

function unreachable(value: never): never {
  throw new Error(`Unhandled payment event: ${JSON.stringify(value)}`);
}

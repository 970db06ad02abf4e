import type { RecordedEvent } from '@agora/event-sourcing';
import type { Message } from '@agora/contracts';
import type { OutboundMapping } from '@agora/messaging';
import { ORDER_CATEGORY, type OrderEvent } from '../domain/order.js';

/** Order's private events as the integration events others may rely on; the payment token stays here. */
export class OrderOutboundMapping implements OutboundMapping<Message> {
  readonly name = 'order';
  readonly categories = [ORDER_CATEGORY];

  map(recorded: RecordedEvent): readonly Message[] {
    const event = recorded as unknown as OrderEvent;
    switch (event.type) {
      case 'order.placed.v1': {
        const { orderId, customerId, lines, totalCents, currency } = event.data;
        return [{ type: 'order.order-placed.v1', key: orderId, data: { orderId, customerId, lines: copy(lines), totalCents, currency } }];
      }
      case 'order.confirmed.v1': {
        const { orderId, customerId, lines, totalCents, currency } = event.data;
        return [{ type: 'order.order-confirmed.v1', key: orderId, data: { orderId, customerId, lines: copy(lines), totalCents, currency } }];
      }
      case 'order.rejected.v1':
        return [{ type: 'order.order-rejected.v1', key: event.data.orderId, data: { orderId: event.data.orderId, reason: event.data.reason } }];
      case 'order.cancelled.v1':
        return [{ type: 'order.order-cancelled.v1', key: event.data.orderId, data: { orderId: event.data.orderId } }];
      default:
        return []; // a cancellation request stays private: the saga decides what becomes of it
    }
  }
}

function copy(lines: readonly { sku: string; quantity: number; unitPriceCents: number }[]) {
  return lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
}

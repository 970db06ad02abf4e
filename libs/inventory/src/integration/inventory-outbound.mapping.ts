import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '@agora/event-sourcing';
import type { Message } from '@agora/contracts';
import type { OutboundMapping } from '@agora/messaging';
import { PRODUCT_CATEGORY, type ProductEvent } from '../domain/product.js';
import { RESERVATION_CATEGORY, type ReservationEvent } from '../domain/reservation.js';

/**
 * Inventory's published language: the catalog (keyed by sku) and the outcome of each
 * order's reservation (keyed by order id). Stock movements on products stay private.
 */
@Injectable()
export class InventoryOutboundMapping implements OutboundMapping<Message> {
  readonly name = 'inventory';
  readonly categories = [PRODUCT_CATEGORY, RESERVATION_CATEGORY];

  map(recorded: RecordedEvent): readonly Message[] {
    const event = recorded as unknown as ProductEvent | ReservationEvent;
    switch (event.type) {
      case 'inventory.product-added.v1': {
        const { sku, name, priceCents, currency } = event.data;
        return [{ type: 'inventory.product-listed.v1', key: sku, data: { sku, name, priceCents, currency } }];
      }
      case 'inventory.reservation-accepted.v1':
        return [
          {
            type: 'inventory.stock-reserved.v1',
            key: event.data.orderId,
            data: { orderId: event.data.orderId, lines: event.data.lines.map(({ sku, quantity }) => ({ sku, quantity })) },
          },
        ];
      case 'inventory.reservation-rejected.v1': {
        const { orderId, sku, reason } = event.data;
        return [{ type: 'inventory.stock-reservation-rejected.v1', key: orderId, data: { orderId, sku, reason } }];
      }
      case 'inventory.reservation-released.v1':
        return [{ type: 'inventory.stock-released.v1', key: event.data.orderId, data: { orderId: event.data.orderId } }];
      case 'inventory.reservation-committed.v1':
        return [{ type: 'inventory.stock-sold.v1', key: event.data.orderId, data: { orderId: event.data.orderId } }];
      case 'inventory.stock-added.v1':
      case 'inventory.product-stock-reserved.v1':
      case 'inventory.product-stock-released.v1':
      case 'inventory.product-stock-sold.v1':
      case 'inventory.reservation-requested.v1':
        return [];
      default: {
        // A compile error when an event is added to the unions and not decided on here;
        // at run time an unknown type (from a newer writer) is not published.
        const unmapped: never = event;
        void unmapped;
        return [];
      }
    }
  }
}

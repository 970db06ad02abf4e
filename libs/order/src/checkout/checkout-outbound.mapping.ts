import type { RecordedEvent } from '@agora/event-sourcing';
import type { MessageBody, OutboundMapping } from '@agora/messaging';
import { sagaOutbound } from '@agora/saga';
import { CHECKOUT_CATEGORY } from './checkout-saga.js';

/** The commands the checkout saga decided to send, published by a relay from its streams. */
export class CheckoutOutboundMapping implements OutboundMapping {
  private readonly mapping = sagaOutbound('order.checkout', [CHECKOUT_CATEGORY]);
  readonly name = this.mapping.name;
  readonly categories = this.mapping.categories;

  map(event: RecordedEvent): readonly MessageBody[] {
    return this.mapping.map(event);
  }
}

import { causedBy, type EventStore, type RecordedEvent } from '@agora/event-sourcing';
import { EventStoreConsumer, type CheckpointStore, type EventStoreConsumerOptions } from '@agora/messaging';
import type { SagaRuntime } from '@agora/saga';
import { ORDER_CATEGORY } from '../domain/order.js';
import type { CheckoutInput, CheckoutSaga } from './checkout-saga.js';

export const CHECKOUT_FEED = 'order.checkout-feed';

/** The order's own events the saga reacts to; the rest of the order stream means nothing to it. */
export function checkoutInputOf(event: RecordedEvent): CheckoutInput | undefined {
  switch (event.type) {
    case 'order.placed.v1':
    case 'order.cancellation-requested.v1':
      return { type: event.type, data: event.data, messageId: event.metadata.messageId } as CheckoutInput;
    default:
      return undefined;
  }
}

/** Hands a batch of order events to the saga, one after the other (the runtime dedupes by message id). */
export function feedCheckout(runtime: SagaRuntime, saga: CheckoutSaga): (events: readonly RecordedEvent[]) => Promise<void> {
  return async (events) => {
    for (const event of events) {
      const input = checkoutInputOf(event);
      if (input) await runtime.handle(saga, input, causedBy(event.metadata));
    }
  };
}

/**
 * Feeds the saga the order's private events from the store, from its checkpoint: an order
 * placed while the process was down starts its checkout when it comes back.
 */
export function checkoutFeed(
  store: EventStore,
  checkpoints: CheckpointStore,
  runtime: SagaRuntime,
  saga: CheckoutSaga,
  options: Omit<EventStoreConsumerOptions, 'name' | 'categories'> & { readonly name?: string } = {},
): EventStoreConsumer {
  return new EventStoreConsumer(store, checkpoints, { ...options, name: options.name ?? CHECKOUT_FEED, categories: [ORDER_CATEGORY] }, feedCheckout(runtime, saga));
}

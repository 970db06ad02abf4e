import { causedBy, KeyedQueue, type RecordedEvent } from '@agora/event-sourcing';
import { EventStoreConsumer, type CheckpointStore, type EventStoreConsumerOptions, type LogSource } from '@agora/messaging';
import type { SagaRuntime } from '@agora/saga';
import { ORDER_CATEGORY } from '../domain/order.js';
import { checkoutInputOf, type CheckoutSaga } from './checkout-saga.js';

export const CHECKOUT_FEED = 'order.checkout-feed';

/**
 * Hands order events to the saga: one order's in order, different orders at the same time
 * (the runtime dedupes by message id, so a placement whose first step the order's POST
 * took, or a confirmation the saga decided itself, is passed over). Work is queued before
 * the first await, as a pipelined consumer requires.
 */
export function feedCheckout(runtime: SagaRuntime, saga: CheckoutSaga): (events: readonly RecordedEvent[]) => Promise<void> {
  const sagas = new KeyedQueue();
  return async (events) => {
    const work = events.flatMap((event) => {
      const input = checkoutInputOf({ type: event.type, data: event.data, messageId: event.metadata.messageId });
      return input ? [sagas.run(saga.sagaIdOf(input), () => runtime.handle(saga, input, causedBy(event.metadata)))] : [];
    });
    await Promise.all(work);
  };
}

/**
 * Feeds the saga the order's private events from the store, from its checkpoint: an order
 * whose checkout's first step was not written with it (on a store that appends stream by
 * stream) starts its checkout here, after a crash as well.
 */
export function checkoutFeed(
  store: LogSource,
  checkpoints: CheckpointStore,
  runtime: SagaRuntime,
  saga: CheckoutSaga,
  options: Omit<EventStoreConsumerOptions, 'name' | 'categories'> & { readonly name?: string } = {},
): EventStoreConsumer {
  return new EventStoreConsumer(
    store,
    checkpoints,
    { maxEventsAtWork: 1000, ...options, name: options.name ?? CHECKOUT_FEED, categories: [ORDER_CATEGORY] },
    feedCheckout(runtime, saga),
  );
}

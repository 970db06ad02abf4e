import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, fold, streamName, type EventStore } from '@agora/event-sourcing';
import { ORDER_CATEGORY, orderDecider, type OrderEvent } from '../../domain/order.js';
import type { OrderView } from './order.view.js';

/** Folds the order's stream (a read model arrives later); `undefined` for an unknown order. */
@Injectable()
export class GetOrderHandler {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(orderId: string): Promise<OrderView | undefined> {
    const order = fold(orderDecider, await this.store.readStream<OrderEvent>(streamName(ORDER_CATEGORY, orderId)));
    if (order.status === 'NONE') return undefined;
    const { customerId, status, reason, lines, totalCents, currency, createdAt, updatedAt } = order;
    return { orderId, customerId, status, reason, lines: lines.map((line) => ({ ...line })), totalCents, currency, createdAt, updatedAt };
  }
}

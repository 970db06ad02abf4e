import type { RecordedEvent } from '@agora/event-sourcing';
import { rowProjection } from '@agora/projections';
import { ORDER_CATEGORY, type OrderEvent } from '../domain/order.js';
import { OrderRow } from './order.row.js';

export const ORDER_READ_SCHEMA = 'order_read';

/** Pure: an order's row after one of its events. */
export function evolveOrderRow(row: OrderRow | undefined, event: OrderEvent): OrderRow | undefined {
  if (event.type === 'order.placed.v1') {
    const { orderId, customerId, lines, totalCents, currency, at } = event.data;
    return Object.assign(new OrderRow(), { orderId, customerId, status: 'PENDING', reason: null, lines, totalCents, currency, createdAt: new Date(at), updatedAt: new Date(at) });
  }
  if (!row) return row;
  const updatedAt = new Date(event.data.at);
  switch (event.type) {
    case 'order.confirmed.v1':
      return { ...row, status: 'CONFIRMED', updatedAt };
    case 'order.rejected.v1':
      return { ...row, status: 'REJECTED', reason: event.data.reason, updatedAt };
    case 'order.cancelled.v1':
      return { ...row, status: 'CANCELLED', reason: 'cancelled-by-customer', updatedAt };
    case 'order.cancellation-requested.v1':
      return { ...row, updatedAt };
  }
}

export const ordersProjection = rowProjection<OrderRow>({
  name: 'order.orders',
  schema: ORDER_READ_SCHEMA,
  categories: [ORDER_CATEGORY],
  entity: OrderRow,
  key: 'orderId',
  rowPerStream: true,
  keyOf: (event) => (event.data as { orderId?: string }).orderId,
  evolve: (row, event) => evolveOrderRow(row, event as RecordedEvent<OrderEvent>),
});

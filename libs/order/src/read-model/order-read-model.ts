import type { ReadModel } from '@agora/projections';
import { OrderReadModel1795700000000 } from './order-read-model.migration.js';
import { OrderRow } from './order.row.js';
import { ORDER_READ_SCHEMA, ordersProjection } from './orders.projection.js';

/** The order context's read side: schema `order_read`, filled by `order.orders`. */
export const orderReadModel: ReadModel = {
  schema: ORDER_READ_SCHEMA,
  entities: [OrderRow],
  migrations: [OrderReadModel1795700000000],
  projections: [ordersProjection],
};

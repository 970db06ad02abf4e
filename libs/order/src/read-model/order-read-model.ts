import type { ReadModel } from '@agora/projections';
import { CheckoutRow } from './checkout.row.js';
import { checkoutsProjection } from './checkouts.projection.js';
import { OrderCheckouts1795700000005, OrderReadModel1795700000000, OrdersNewestFirst1797000000000, OrderTotalsBigint1796000000000 } from './order-read-model.migration.js';
import { OrderRow } from './order.row.js';
import { ORDER_READ_SCHEMA, ordersProjection } from './orders.projection.js';

/** The order context's read side: schema `order_read`, filled by `order.orders` and `order.checkouts`. */
export const orderReadModel: ReadModel = {
  schema: ORDER_READ_SCHEMA,
  entities: [OrderRow, CheckoutRow],
  migrations: [OrderReadModel1795700000000, OrderCheckouts1795700000005, OrderTotalsBigint1796000000000, OrdersNewestFirst1797000000000],
  projections: [ordersProjection, checkoutsProjection],
};

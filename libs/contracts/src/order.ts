import { z } from 'zod';
import { cents, currency, orderId, quantity, sku } from './schemas.js';

const pricedLines = z.array(z.object({ sku, quantity, unitPriceCents: cents }).strict()).min(1);

/** Commands to the order context, sent by its checkout saga; keyed by order id. */
export const orderCommands = {
  'order.confirm-order.v1': z.object({ orderId }).strict(),
  'order.reject-order.v1': z.object({ orderId, reason: z.string().min(1) }).strict(),
  'order.cancel-order.v1': z.object({ orderId }).strict(),
};

export type OrderCommandType = keyof typeof orderCommands;

/** Order's integration events; keyed by order id. The payment token never leaves the order context. */
export const orderEvents = {
  'order.order-placed.v1': z.object({ orderId, customerId: z.string().min(1), lines: pricedLines, totalCents: cents, currency }).strict(),
  'order.order-confirmed.v1': z.object({ orderId, customerId: z.string().min(1), lines: pricedLines, totalCents: cents, currency }).strict(),
  'order.order-rejected.v1': z.object({ orderId, reason: z.string().min(1) }).strict(),
  'order.order-cancelled.v1': z.object({ orderId }).strict(),
};

export type OrderEventType = keyof typeof orderEvents;

import { z } from 'zod';
import { currency, cents, orderId, sku, stockLines } from './schemas.js';

/** Commands to inventory, sent by the checkout saga; keyed by order id. */
export const inventoryCommands = {
  'inventory.reserve-stock.v1': z.object({ orderId, lines: stockLines }).strict(),
  'inventory.release-reservation.v1': z.object({ orderId }).strict(),
  'inventory.commit-reservation.v1': z.object({ orderId }).strict(),
};

/** Inventory's integration events; reservations keyed by order id, the catalog by sku. */
export const inventoryEvents = {
  /** The catalog other contexts may copy (order takes prices from it). */
  'inventory.product-listed.v1': z.object({ sku, name: z.string().min(1), priceCents: cents, currency }).strict(),
  /** Every line was reserved. */
  'inventory.stock-reserved.v1': z.object({ orderId, lines: stockLines }).strict(),
  /** Nothing stays reserved: one line could not be. */
  'inventory.stock-reservation-rejected.v1': z
    .object({ orderId, sku, reason: z.enum(['insufficient-stock', 'unknown-sku']) })
    .strict(),
  /** The order's reserved stock is back on the shelves; also sent when there was nothing to release, so the sender always hears back. */
  'inventory.stock-released.v1': z.object({ orderId }).strict(),
  /** The order's reserved stock is sold: its reservation is committed. */
  'inventory.stock-sold.v1': z.object({ orderId }).strict(),
};

export type InventoryCommandType = keyof typeof inventoryCommands;
export type InventoryEventType = keyof typeof inventoryEvents;

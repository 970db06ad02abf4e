import type { Decider, Event } from '@agora/event-sourcing';
import { PendingLimitReached } from './errors.js';

/**
 * A customer's pending orders (`pending_orders-<customerId>`): the stream that decides
 * whether a new order may hold stock. Every order is admitted here, with its units, in
 * the commit that writes its own stream's first event (on EventStoreDB, which cannot
 * append to two streams at once, just before it); the store's expected revision
 * serialises a customer's concurrent orders, so a burst of them cannot all pass a count
 * that each read before the others wrote (docs/adr/0014). An admitted order counts until it is settled here, which
 * the placing handler does for orders it finds ended (confirmed, rejected, cancelled) or
 * never placed, when the count would otherwise refuse a new order.
 */
export const PENDING_ORDERS_CATEGORY = 'pending_orders';

export const DEFAULT_MAX_PENDING_ORDERS = 20;
export const DEFAULT_MAX_PENDING_UNITS = 10_000;

/** Where an admitted order that never got its own stream (on EventStoreDB: the order's append failed after the admission's) stops counting. */
export const UNPLACED_ORDER_COUNTS_FOR_MS = 60_000;

export interface PendingLimits {
  /** Orders one customer may have pending at once. */
  readonly maxPendingOrders: number;
  /** Units (the sum of the quantities of every line) one customer may have in pending orders. */
  readonly maxPendingUnits: number;
}

export type PendingOrdersEvent =
  | Event<'order.pending-order-admitted.v1', { orderId: string; units: number; at: string }>
  | Event<'order.pending-orders-settled.v1', { orderIds: readonly string[]; at: string }>;

export const PENDING_ORDERS_EVENT_TYPES = Object.keys({
  'order.pending-order-admitted.v1': true,
  'order.pending-orders-settled.v1': true,
} satisfies Record<PendingOrdersEvent['type'], true>) as PendingOrdersEvent['type'][];

export type PendingOrdersCommand =
  | {
      type: 'admit-order';
      orderId: string;
      units: number;
      limits: PendingLimits;
      /** Orders of the customer known to have ended (or never to have been placed): settled first, then counted no more. */
      settled: readonly string[];
      at: string;
    }
  | { type: 'settle-orders'; orderIds: readonly string[]; at: string };

export interface PendingOrders {
  /** Admitted, not yet settled: units and the instant of admission, by order id. */
  readonly orders: ReadonlyMap<string, { readonly units: number; readonly since: string }>;
}

export function decide(command: PendingOrdersCommand, state: PendingOrders): PendingOrdersEvent[] {
  const { at } = command;
  const settledIds = (command.type === 'admit-order' ? command.settled : command.orderIds).filter((id) => state.orders.has(id));
  const settled: PendingOrdersEvent[] = settledIds.length > 0 ? [{ type: 'order.pending-orders-settled.v1', data: { orderIds: settledIds, at } }] : [];
  if (command.type === 'settle-orders') return settled;

  const { orderId, units, limits } = command;
  if (state.orders.has(orderId)) return []; // the same order again (a retried request with its idempotency key)
  const pending = [...state.orders].filter(([id]) => !settledIds.includes(id));
  const heldUnits = pending.reduce((sum, [, order]) => sum + order.units, 0);
  const counted = pending.map(([id, { since }]) => ({ orderId: id, since }));
  if (pending.length + 1 > limits.maxPendingOrders) {
    throw new PendingLimitReached(
      'ORDER_MAX_PENDING_PER_CUSTOMER',
      limits.maxPendingOrders,
      `Too many pending orders: a customer may have at most ${limits.maxPendingOrders} at once (ORDER_MAX_PENDING_PER_CUSTOMER), and ${pending.length} are pending. Place it once one of them has completed.`,
      counted,
    );
  }
  if (heldUnits + units > limits.maxPendingUnits) {
    throw new PendingLimitReached(
      'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER',
      limits.maxPendingUnits,
      `Too many units in pending orders: a customer may have at most ${limits.maxPendingUnits} (ORDER_MAX_PENDING_UNITS_PER_CUSTOMER); ${heldUnits} are pending and this order adds ${units}.` +
        (units > limits.maxPendingUnits ? ' Split it into smaller orders.' : ' Place it once pending orders have completed.'),
      counted,
    );
  }
  return [...settled, { type: 'order.pending-order-admitted.v1', data: { orderId, units, at } }];
}

export function evolve(state: PendingOrders, event: PendingOrdersEvent): PendingOrders {
  const orders = new Map(state.orders);
  if (event.type === 'order.pending-order-admitted.v1') orders.set(event.data.orderId, { units: event.data.units, since: event.data.at });
  else for (const orderId of event.data.orderIds) orders.delete(orderId);
  return { orders };
}

export const pendingOrdersDecider: Decider<PendingOrdersCommand, PendingOrdersEvent, PendingOrders> = {
  decide,
  evolve,
  initialState: () => ({ orders: new Map() }),
};

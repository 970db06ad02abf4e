import type { Decider, Event } from '@agora/event-sourcing';
import { MAX_PRICE_CENTS, MAX_STOCK_ADDITION } from './bounds.js';
import { InsufficientStock, InvalidQuantity, ProductAlreadyExists, ProductNotFound, ReservationAlreadyCommitted, ReservationNotCommittable } from './errors.js';
import { noSettledOrders, settlementOf, withSettled, type SettledOrders } from './settled-orders.js';

// A product: its catalog entry, its stock, and the holds of the orders not yet settled.
// Stream `product-<sku>`. The stream is the consistency boundary of stock: every
// reservation of a unit is decided here, on the current revision, so two orders can never
// both take the last one.
//
// The state stays small however many orders a product has seen: a hold is dropped once
// it is sold or released, and only the last `settledOrdersKept` settled orders are
// remembered, to absorb redeliveries. Per-order idempotency lives on the order's
// reservation stream (reservation.ts), which asks a product for an order's stock only
// while the reservation is still requested. When a product is nevertheless asked to hold
// stock for an order it has forgotten (a reserve that ran late, concurrently with another
// that already completed the reservation, and after that order's hold here was settled),
// the new hold is surplus, and it is always given back:
//   - a released or rejected reservation releases every line again, from whichever path
//     sees it settled, including that late reserve itself;
//   - a committed reservation names, in its acceptance, the number of each hold it was
//     accepted with (holds are numbered per product, in stream order). Selling a line
//     sells that hold only; finding the order holding another one, a surplus hold made
//     after the sale, releases it instead. The late reserve finishes by selling every line
//     again, and so does any redelivery of the commit or of the reserve.
// So no order ever keeps more stock than it asked for (docs/adr/0011).

export type AddProduct = {
  readonly type: 'add-product';
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly initialStock: number;
};
export type AddStock = { readonly type: 'add-stock'; readonly sku: string; readonly quantity: number };
export type ReserveProductStock = { readonly type: 'reserve-stock'; readonly sku: string; readonly orderId: string; readonly quantity: number };
export type ReleaseProductStock = { readonly type: 'release-stock'; readonly sku: string; readonly orderId: string };
export type SellProductStock = {
  readonly type: 'sell-stock';
  readonly sku: string;
  readonly orderId: string;
  /** The hold the reservation was accepted with; absent for reservations accepted before holds were numbered. */
  readonly hold?: number;
};
export type ProductCommand = AddProduct | AddStock | ReserveProductStock | ReleaseProductStock | SellProductStock;

export type ProductAdded = Event<
  'inventory.product-added.v1',
  { sku: string; name: string; priceCents: number; currency: string; initialStock: number }
>;
export type StockAdded = Event<'inventory.stock-added.v1', { sku: string; quantity: number }>;
export type ProductStockReserved = Event<'inventory.product-stock-reserved.v1', { sku: string; orderId: string; quantity: number }>;
/** An order's held units go back on the shelf. */
export type ProductStockReleased = Event<'inventory.product-stock-released.v1', { sku: string; orderId: string; quantity: number }>;
/** An order's held units are sold: the reservation is committed. */
export type ProductStockSold = Event<'inventory.product-stock-sold.v1', { sku: string; orderId: string; quantity: number }>;
export type ProductEvent = ProductAdded | StockAdded | ProductStockReserved | ProductStockReleased | ProductStockSold;

export type ProductEventType = ProductEvent['type'];
export const PRODUCT_EVENT_TYPES: readonly ProductEventType[] = [
  'inventory.product-added.v1',
  'inventory.stock-added.v1',
  'inventory.product-stock-reserved.v1',
  'inventory.product-stock-released.v1',
  'inventory.product-stock-sold.v1',
];

/** What one order holds of this product until the hold is sold or released. */
export interface ActiveHold {
  readonly quantity: number;
  /** This product's number for the hold: the first hold ever made is 1. */
  readonly number: number;
}

export interface ListedProduct {
  readonly status: 'listed';
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  /** Every unit ever put in stock. Always available + reserved + sold. */
  readonly received: number;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  /** Holds not yet sold or released, by order id. */
  readonly holds: ReadonlyMap<string, ActiveHold>;
  /** Holds made so far: the number of the latest. */
  readonly holdsMade: number;
  /** The most recently settled orders (at least `settledOrdersKept` of them). */
  readonly settled: SettledOrders;
}
export type Product = { readonly status: 'absent' } | ListedProduct;

export const PRODUCT_CATEGORY = 'product';

function decide(command: ProductCommand, state: Product): ProductEvent[] {
  if (command.type === 'add-product') {
    if (state.status === 'listed') throw new ProductAlreadyExists(command.sku);
    requireWhole('priceCents', command.priceCents, 0, MAX_PRICE_CENTS);
    requireWhole('initialStock', command.initialStock, 0, MAX_STOCK_ADDITION);
    const { sku, name, priceCents, currency, initialStock } = command;
    return [{ type: 'inventory.product-added.v1', data: { sku, name, priceCents, currency, initialStock } }];
  }
  if (state.status === 'absent') throw new ProductNotFound(command.sku);
  const { sku } = state;

  switch (command.type) {
    case 'add-stock':
      requireWhole('quantity', command.quantity, 1, MAX_STOCK_ADDITION);
      return [{ type: 'inventory.stock-added.v1', data: { sku, quantity: command.quantity } }];

    case 'reserve-stock': {
      requireWhole('quantity', command.quantity, 1);
      const { orderId, quantity } = command;
      // Once per order: a redelivery, or a late one after release or sale, changes nothing.
      if (state.holds.has(orderId) || settlementOf(state.settled, orderId)) return [];
      if (state.available < quantity) throw new InsufficientStock(sku, orderId, quantity, state.available);
      return [{ type: 'inventory.product-stock-reserved.v1', data: { sku, orderId, quantity } }];
    }

    case 'release-stock': {
      const { orderId } = command;
      const hold = state.holds.get(orderId);
      if (hold) return [{ type: 'inventory.product-stock-released.v1', data: { sku, orderId, quantity: hold.quantity } }];
      if (settlementOf(state.settled, orderId) === 'sold') throw new ReservationAlreadyCommitted(orderId);
      return [];
    }

    case 'sell-stock': {
      const { orderId } = command;
      const hold = state.holds.get(orderId);
      if (hold && (command.hold === undefined || command.hold === hold.number)) {
        return [{ type: 'inventory.product-stock-sold.v1', data: { sku, orderId, quantity: hold.quantity } }];
      }
      // The accepted hold was sold already; this one was made after, by a late reserve: surplus.
      if (hold) return [{ type: 'inventory.product-stock-released.v1', data: { sku, orderId, quantity: hold.quantity } }];
      if (command.hold === undefined && settlementOf(state.settled, orderId) === 'released') throw new ReservationNotCommittable(orderId, 'released');
      // Sold before (perhaps so long ago that it is forgotten): the reservation stream only
      // commits a reservation whose every line was held.
      return [];
    }

    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled product command ${JSON.stringify(unhandled)}`);
    }
  }
}

function evolver(settledOrdersKept: number) {
  return function evolve(state: Product, event: ProductEvent): Product {
    if (event.type === 'inventory.product-added.v1') {
      const { sku, name, priceCents, currency, initialStock } = event.data;
      return {
        status: 'listed',
        sku,
        name,
        priceCents,
        currency,
        received: initialStock,
        available: initialStock,
        reserved: 0,
        sold: 0,
        holds: new Map(),
        holdsMade: 0,
        settled: noSettledOrders,
      };
    }
    // Events of a product always follow its product-added event.
    if (state.status === 'absent') return state;

    switch (event.type) {
      case 'inventory.stock-added.v1':
        return { ...state, received: state.received + event.data.quantity, available: state.available + event.data.quantity };
      case 'inventory.product-stock-reserved.v1': {
        const number = state.holdsMade + 1;
        return {
          ...state,
          available: state.available - event.data.quantity,
          reserved: state.reserved + event.data.quantity,
          holds: new Map(state.holds).set(event.data.orderId, { quantity: event.data.quantity, number }),
          holdsMade: number,
        };
      }
      case 'inventory.product-stock-released.v1':
        return {
          ...settle(state, event.data.orderId, 'released', settledOrdersKept),
          available: state.available + event.data.quantity,
          reserved: state.reserved - event.data.quantity,
        };
      case 'inventory.product-stock-sold.v1':
        return {
          ...settle(state, event.data.orderId, 'sold', settledOrdersKept),
          reserved: state.reserved - event.data.quantity,
          sold: state.sold + event.data.quantity,
        };
      default: {
        const unhandled: never = event;
        throw new Error(`Unhandled product event ${JSON.stringify(unhandled)}`);
      }
    }
  };
}

function settle(state: ListedProduct, orderId: string, settlement: 'released' | 'sold', kept: number): ListedProduct {
  const holds = new Map(state.holds);
  holds.delete(orderId);
  return { ...state, holds, settled: withSettled(state.settled, orderId, settlement, kept) };
}

function requireWhole(field: string, value: number, min: 0 | 1, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidQuantity(field, value, max === Infinity ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`);
}

export interface ProductDeciderOptions {
  /** Settled orders a product remembers, to answer their redeliveries at once. Default 2,000. */
  readonly settledOrdersKept?: number;
  /** Events between snapshots of a product. Default 1,000. */
  readonly snapshotEvery?: number;
}

/** A product's state as its snapshot stores it (version 1). */
type ProductJSON = { readonly status: 'absent' } | (Omit<ListedProduct, 'holds'> & { readonly holds: [string, ActiveHold][] });

export function createProductDecider({ settledOrdersKept = 2_000, snapshotEvery = 1_000 }: ProductDeciderOptions = {}): Decider<
  ProductCommand,
  ProductEvent,
  Product
> {
  return {
    decide,
    evolve: evolver(settledOrdersKept),
    initialState: () => ({ status: 'absent' }),
    snapshots: {
      every: snapshotEvery,
      version: 1,
      toJSON: (state): ProductJSON => (state.status === 'absent' ? state : { ...state, holds: [...state.holds] }),
      fromJSON: (json) => {
        const state = json as ProductJSON;
        return state.status === 'absent' ? state : { ...state, holds: new Map(state.holds) };
      },
    },
  };
}

export const productDecider = createProductDecider();

/** No oversell: available + reserved + sold = received, none negative. */
export function stockIsBalanced(product: ListedProduct): boolean {
  const { received, available, reserved, sold } = product;
  return available >= 0 && reserved >= 0 && sold >= 0 && available + reserved + sold === received;
}

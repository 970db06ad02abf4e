import type { Decider, Event } from '@agora/event-sourcing';
import { MAX_PRICE_CENTS, MAX_STOCK_ADDITION } from './bounds.js';
import { InsufficientStock, InvalidQuantity, ProductAlreadyExists, ProductNotFound, ReservationAlreadyCommitted, ReservationNotCommittable } from './errors.js';

// A product: its catalog entry and its stock, with one hold per order. Stream `product-<sku>`.
// The stream is the consistency boundary of stock: every reservation of a unit is decided
// here, on the current revision, so two orders can never both take the last one.

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
export type SellProductStock = { readonly type: 'sell-stock'; readonly sku: string; readonly orderId: string };
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

/** What one order holds of this product; the entry stays after release or sale, so a redelivered reservation does nothing. */
export interface OrderHold {
  readonly quantity: number;
  readonly status: 'reserved' | 'released' | 'sold';
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
  readonly holds: ReadonlyMap<string, OrderHold>;
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

  switch (command.type) {
    case 'add-stock':
      requireWhole('quantity', command.quantity, 1, MAX_STOCK_ADDITION);
      return [{ type: 'inventory.stock-added.v1', data: { sku: state.sku, quantity: command.quantity } }];

    case 'reserve-stock': {
      requireWhole('quantity', command.quantity, 1);
      // Once per order: a redelivery, or a late one after release or sale, changes nothing.
      if (state.holds.has(command.orderId)) return [];
      if (state.available < command.quantity) throw new InsufficientStock(state.sku, command.orderId, command.quantity, state.available);
      return [{ type: 'inventory.product-stock-reserved.v1', data: { sku: state.sku, orderId: command.orderId, quantity: command.quantity } }];
    }

    case 'release-stock': {
      const hold = state.holds.get(command.orderId);
      if (hold?.status === 'sold') throw new ReservationAlreadyCommitted(command.orderId);
      if (hold?.status !== 'reserved') return [];
      return [{ type: 'inventory.product-stock-released.v1', data: { sku: state.sku, orderId: command.orderId, quantity: hold.quantity } }];
    }

    case 'sell-stock': {
      const hold = state.holds.get(command.orderId);
      if (hold?.status === 'sold') return [];
      if (hold?.status !== 'reserved') throw new ReservationNotCommittable(command.orderId, hold ? hold.status : 'not reserved');
      return [{ type: 'inventory.product-stock-sold.v1', data: { sku: state.sku, orderId: command.orderId, quantity: hold.quantity } }];
    }

    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled product command ${JSON.stringify(unhandled)}`);
    }
  }
}

function evolve(state: Product, event: ProductEvent): Product {
  if (event.type === 'inventory.product-added.v1') {
    const { sku, name, priceCents, currency, initialStock } = event.data;
    return { status: 'listed', sku, name, priceCents, currency, received: initialStock, available: initialStock, reserved: 0, sold: 0, holds: new Map() };
  }
  // Events of a product always follow its product-added event.
  if (state.status === 'absent') return state;

  switch (event.type) {
    case 'inventory.stock-added.v1':
      return { ...state, received: state.received + event.data.quantity, available: state.available + event.data.quantity };
    case 'inventory.product-stock-reserved.v1':
      return {
        ...state,
        available: state.available - event.data.quantity,
        reserved: state.reserved + event.data.quantity,
        holds: withHold(state.holds, event.data.orderId, { quantity: event.data.quantity, status: 'reserved' }),
      };
    case 'inventory.product-stock-released.v1':
      return {
        ...state,
        available: state.available + event.data.quantity,
        reserved: state.reserved - event.data.quantity,
        holds: withHold(state.holds, event.data.orderId, { quantity: event.data.quantity, status: 'released' }),
      };
    case 'inventory.product-stock-sold.v1':
      return {
        ...state,
        reserved: state.reserved - event.data.quantity,
        sold: state.sold + event.data.quantity,
        holds: withHold(state.holds, event.data.orderId, { quantity: event.data.quantity, status: 'sold' }),
      };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled product event ${JSON.stringify(unhandled)}`);
    }
  }
}

function withHold(holds: ReadonlyMap<string, OrderHold>, orderId: string, hold: OrderHold): ReadonlyMap<string, OrderHold> {
  return new Map(holds).set(orderId, hold);
}

function requireWhole(field: string, value: number, min: 0 | 1, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidQuantity(field, value, max === Infinity ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`);
}

export const productDecider: Decider<ProductCommand, ProductEvent, Product> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};

/** No oversell: available + reserved + sold = received, none negative. */
export function stockIsBalanced(product: ListedProduct): boolean {
  const { received, available, reserved, sold } = product;
  return available >= 0 && reserved >= 0 && sold >= 0 && available + reserved + sold === received;
}

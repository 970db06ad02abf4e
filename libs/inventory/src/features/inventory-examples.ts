import type { ProductCommand, ProductEvent } from '../domain/product.js';
import type { ReservationCommand, ReservationEvent, StockLine } from '../domain/reservation.js';

// Events and commands for the given/when/then specs of the use cases: one mug, two orders.

export const sku = 'MUG-BLUE';
export const orderId = '0b6f4a8e-8f0c-4c3e-9d55-7b1f1c2d3e4f';
export const otherOrderId = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';

export const product = {
  added: (initialStock = 5, { priceCents = 1250 } = {}): ProductEvent => ({
    type: 'inventory.product-added.v1',
    data: { sku, name: 'Blue mug', priceCents, currency: 'EUR', initialStock },
  }),
  stockAdded: (quantity: number): ProductEvent => ({ type: 'inventory.stock-added.v1', data: { sku, quantity } }),
  reserved: (order: string, quantity: number): ProductEvent => ({ type: 'inventory.product-stock-reserved.v1', data: { sku, orderId: order, quantity } }),
  released: (order: string, quantity: number): ProductEvent => ({ type: 'inventory.product-stock-released.v1', data: { sku, orderId: order, quantity } }),
  sold: (order: string, quantity: number): ProductEvent => ({ type: 'inventory.product-stock-sold.v1', data: { sku, orderId: order, quantity } }),
};

export const productCommand = {
  add: (overrides: Partial<{ priceCents: number; initialStock: number }> = {}): ProductCommand => ({
    type: 'add-product',
    sku,
    name: 'Blue mug',
    priceCents: 1250,
    currency: 'EUR',
    initialStock: 5,
    ...overrides,
  }),
  addStock: (quantity: number): ProductCommand => ({ type: 'add-stock', sku, quantity }),
  reserve: (order: string, quantity: number): ProductCommand => ({ type: 'reserve-stock', sku, orderId: order, quantity }),
  release: (order: string): ProductCommand => ({ type: 'release-stock', sku, orderId: order }),
  sell: (order: string, hold?: number): ProductCommand => (hold === undefined ? { type: 'sell-stock', sku, orderId: order } : { type: 'sell-stock', sku, orderId: order, hold }),
};

export const lines: StockLine[] = [
  { sku: 'A-1', quantity: 2 },
  { sku: 'B-2', quantity: 1 },
];

/** The lines as accepted: each with the number of its hold on its product. */
export const heldLines = [
  { sku: 'A-1', quantity: 2, hold: 3 },
  { sku: 'B-2', quantity: 1, hold: 7 },
];

export const reservation = {
  requested: { type: 'inventory.reservation-requested.v1', data: { orderId, lines } } as ReservationEvent,
  accepted: { type: 'inventory.reservation-accepted.v1', data: { orderId, lines: heldLines } } as ReservationEvent,
  rejected: { type: 'inventory.reservation-rejected.v1', data: { orderId, sku: 'B-2', reason: 'insufficient-stock' } } as ReservationEvent,
  released: { type: 'inventory.reservation-released.v1', data: { orderId } } as ReservationEvent,
  committed: { type: 'inventory.reservation-committed.v1', data: { orderId } } as ReservationEvent,
};

export const reservationCommand = {
  request: (requested: StockLine[] = lines): ReservationCommand => ({ type: 'request-reservation', orderId, lines: requested }),
  accept: { type: 'accept-reservation', orderId, holds: [3, 7] } as ReservationCommand,
  reject: { type: 'reject-reservation', orderId, sku: 'B-2', reason: 'insufficient-stock' } as ReservationCommand,
  release: { type: 'release-reservation', orderId } as ReservationCommand,
  commit: { type: 'commit-reservation', orderId } as ReservationCommand,
};

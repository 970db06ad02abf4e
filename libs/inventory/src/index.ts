export * from './inventory.module.js';
export * from './domain/errors.js';
export { productDecider, stockIsBalanced, PRODUCT_CATEGORY } from './domain/product.js';
export type { Product, ListedProduct, ProductCommand, ProductEvent } from './domain/product.js';
export { reservationDecider, normalizeLines, RESERVATION_CATEGORY } from './domain/reservation.js';
export type { Reservation, ReservationCommand, ReservationEvent, StockLine } from './domain/reservation.js';
export { InventoryOutboundMapping } from './integration/inventory-outbound.mapping.js';
export { InventoryCommandsHandler } from './integration/inventory-commands.handler.js';
export { ProductView } from './features/get-product/product.view.js';

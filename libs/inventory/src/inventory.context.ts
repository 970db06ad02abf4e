import { contractsFor } from '@agora/contracts';
import type { ContextDefinition } from '@agora/host';
import { AddProductHandler } from './features/add-product/add-product.handler.js';
import { AddProductResolver } from './features/add-product/add-product.resolver.js';
import { AddStockResolver } from './features/add-stock/add-stock.resolver.js';
import { GetProductResolver } from './features/get-product/get-product.resolver.js';
import { ListProductsResolver } from './features/list-products/list-products.resolver.js';
import { seedDemoProducts } from './features/seed-products/seed-products.js';
import { InventoryCommandsHandler } from './integration/inventory-commands.handler.js';
import { InventoryOutboundMapping } from './integration/inventory-outbound.mapping.js';
import { InventoryModule } from './inventory.module.js';
import { inventoryReadModel } from './read-model/inventory-read-model.js';
import { PRODUCT_EVENT_TYPES } from './domain/product.js';
import { RESERVATION_EVENT_TYPES } from './domain/reservation.js';

/** The inventory context as a host composes it. */
export const inventoryContext: ContextDefinition = {
  name: 'inventory',
  title: 'Agora inventory',
  description: 'The inventory context: products, stock and order reservations.',
  ports: { http: 3003, embeddedPostgres: 54333 },
  modules: () => [InventoryModule],
  graphql: { resolvers: [ListProductsResolver, GetProductResolver, AddProductResolver, AddStockResolver] },
  readModels: [inventoryReadModel],
  events: [...PRODUCT_EVENT_TYPES, ...RESERVATION_EVENT_TYPES],
  outbound: [InventoryOutboundMapping],
  handlers: [InventoryCommandsHandler],
  publishes: contractsFor(
    'inventory.product-listed.v1',
    'inventory.stock-reserved.v1',
    'inventory.stock-reservation-rejected.v1',
    'inventory.stock-released.v1',
    'inventory.stock-sold.v1',
  ),
  consumes: contractsFor('inventory.reserve-stock.v1', 'inventory.release-reservation.v1', 'inventory.commit-reservation.v1'),
  seed: (config) => ({
    inject: [AddProductHandler],
    run: async (products: AddProductHandler) => {
      if (config.DEMO_DATA) await seedDemoProducts(products);
    },
  }),
};

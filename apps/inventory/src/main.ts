import { CatalogResolver, graphqlFor } from '@agora/graphql';
import { onBootstrap, runContextApp } from '@agora/host';
import { AddProductHandler, InventoryCommandsHandler, InventoryModule, InventoryOutboundMapping, inventoryReadModel, seedDemoProducts } from '@agora/inventory';

await runContextApp({
  app: 'inventory',
  title: 'Agora inventory',
  description: 'The inventory context: products, stock and order reservations.',
  port: 3003,
  embeddedPostgresPort: 54333,
  readModels: [inventoryReadModel],
  modules: () => [InventoryModule],
  checksTokenVersions: true,
  graphql: graphqlFor([CatalogResolver]),
  outbound: [InventoryOutboundMapping],
  handlers: [InventoryCommandsHandler],
  providers: (config) => [
    onBootstrap('seed', [AddProductHandler], async (products: AddProductHandler) => {
      if (config.DEMO_DATA) await seedDemoProducts(products);
    }),
  ],
});

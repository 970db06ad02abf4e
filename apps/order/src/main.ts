import { graphqlFor, OrdersResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { CatalogHandler, CheckoutInputsHandler, CheckoutOutboundMapping, OrderCommandsHandler, OrderModule, OrderOutboundMapping, orderReadModel } from '@agora/order';

await runContextApp({
  app: 'order',
  title: 'Agora order',
  description: 'The order context: orders, their prices and the checkout saga.',
  port: 3002,
  embeddedPostgresPort: 54332,
  readModels: [orderReadModel],
  modules: (config) => [
    OrderModule.fromConfig(config),
  ],
  checksTokenVersions: true,
  graphql: graphqlFor([OrdersResolver]),
  outbound: [OrderOutboundMapping, CheckoutOutboundMapping],
  handlers: [CatalogHandler, CheckoutInputsHandler, OrderCommandsHandler],
});

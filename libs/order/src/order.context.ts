import { contractsFor } from '@agora/contracts';
import type { ContextDefinition } from '@agora/host';
import { SAGA_MIGRATIONS } from '@agora/saga';
import { ORDER_CATALOG_MIGRATIONS } from './catalog/catalog-schema.js';
import { CatalogHandler } from './catalog/catalog.handler.js';
import { CancelOrderResolver } from './features/cancel-order/cancel-order.resolver.js';
import { GetCheckoutResolver } from './features/get-checkout/get-checkout.resolver.js';
import { GetOrderResolver } from './features/get-order/get-order.resolver.js';
import { ListOrdersResolver } from './features/list-orders/list-orders.resolver.js';
import { PlaceOrderResolver } from './features/place-order/place-order.resolver.js';
import { CheckoutInputsHandler } from './checkout/checkout-inputs.handler.js';
import { CheckoutOutboundMapping } from './checkout/checkout-outbound.mapping.js';
import { OrderCommandsHandler } from './integration/order-commands.handler.js';
import { OrderOutboundMapping } from './integration/order-outbound.mapping.js';
import { OrderModule } from './order.module.js';
import { orderReadModel } from './read-model/order-read-model.js';
import { ORDER_EVENT_TYPES } from './domain/order.js';
import { PENDING_ORDERS_EVENT_TYPES } from './domain/pending-orders.js';

/** The order context, with its checkout saga, as a host composes it. */
export const orderContext: ContextDefinition = {
  name: 'order',
  title: 'Agora order',
  description: 'The order context: orders, their prices and the checkout saga.',
  ports: { http: 3002, embeddedPostgres: 54332 },
  modules: (config) => [OrderModule.fromConfig(config)],
  graphql: { resolvers: [ListOrdersResolver, GetOrderResolver, GetCheckoutResolver, PlaceOrderResolver, CancelOrderResolver] },
  readModels: [orderReadModel],
  schemas: [ORDER_CATALOG_MIGRATIONS, SAGA_MIGRATIONS],
  events: [...ORDER_EVENT_TYPES, ...PENDING_ORDERS_EVENT_TYPES],
  outbound: [OrderOutboundMapping, CheckoutOutboundMapping],
  handlers: [CatalogHandler, CheckoutInputsHandler, OrderCommandsHandler],
  publishes: contractsFor(
    'order.order-placed.v1',
    'order.order-confirmed.v1',
    'order.order-rejected.v1',
    'order.order-cancelled.v1',
    // The checkout saga's commands, to inventory, payment and (where it does not decide them itself) its order.
    'inventory.reserve-stock.v1',
    'inventory.release-reservation.v1',
    'inventory.commit-reservation.v1',
    'payment.charge-payment.v1',
    'payment.refund-payment.v1',
    'order.confirm-order.v1',
    'order.reject-order.v1',
    'order.cancel-order.v1',
  ),
  consumes: contractsFor(
    'inventory.product-listed.v1',
    'inventory.stock-reserved.v1',
    'inventory.stock-reservation-rejected.v1',
    'payment.payment-captured.v1',
    'payment.payment-declined.v1',
    'order.confirm-order.v1',
    'order.reject-order.v1',
    'order.cancel-order.v1',
  ),
};

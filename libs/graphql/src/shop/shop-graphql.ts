import { CatalogResolver } from '../inventory/catalog.resolver.js';
import { graphqlFor, type ServedGraphql } from '../graphql-for.js';
import { createLoaders } from '../loaders.js';
import { OrdersResolver } from '../order/orders.resolver.js';
import { RecommendationsResolver } from '../recommendation/recommendations.resolver.js';
import { UsersResolver } from '../user/users.resolver.js';
import { AlsoBoughtProductResolver, OrderLineProductResolver, OrderPaymentsResolver, ProductAlsoBoughtResolver, RecommendationProductResolver } from './joins.js';

/**
 * The all-in-one shop's GraphQL: the contexts' fields and the joins between them. The
 * payment app's `payments` and the recommendation app's `alsoBought` queries stand in
 * for joins the shop has, `Order.payments` and `Product.alsoBought`, and are not here.
 */
export const shopGraphql = (): ServedGraphql =>
  graphqlFor(
    [
      UsersResolver,
      CatalogResolver,
      OrdersResolver,
      RecommendationsResolver,
      ProductAlsoBoughtResolver,
      AlsoBoughtProductResolver,
      RecommendationProductResolver,
      OrderPaymentsResolver,
      OrderLineProductResolver,
    ],
    createLoaders,
  );

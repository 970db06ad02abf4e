import { graphqlFor, type ServedGraphql } from '@agora/host';
import { SHOP_CONTEXTS } from '../shop-contexts.js';
import { AlsoBoughtProductResolver, OrderLineProductResolver, OrderPaymentsResolver, ProductAlsoBoughtResolver, RecommendationProductResolver } from './joins.js';
import { createLoaders } from './loaders.js';

/**
 * The all-in-one shop's GraphQL: the contexts' fields and the joins between them. The
 * queries that only a context's own app serves (the payment app's `payments`, the
 * recommendation app's `alsoBought`) stand in for joins the shop has, `Order.payments`
 * and `Product.alsoBought`, and are not here.
 */
export const shopGraphql = (): ServedGraphql =>
  graphqlFor(
    [
      ...SHOP_CONTEXTS.flatMap((context) => context.graphql?.resolvers ?? []),
      ProductAlsoBoughtResolver,
      AlsoBoughtProductResolver,
      RecommendationProductResolver,
      OrderPaymentsResolver,
      OrderLineProductResolver,
    ],
    createLoaders,
  );

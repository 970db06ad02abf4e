export { graphqlFor, type ServedGraphql } from './graphql-for.js';
export { MAX_ALIASES, MAX_COMPLEXITY, MAX_DEPTH, MAX_MUTATIONS } from './limits.js';
export { shopGraphql } from './shop/shop-graphql.js';
export { UsersResolver } from './user/users.resolver.js';
export { CatalogResolver } from './inventory/catalog.resolver.js';
export { OrdersResolver } from './order/orders.resolver.js';
export { PaymentsResolver } from './payment/payments.resolver.js';
export { AlsoBoughtResolver, RecommendationsResolver } from './recommendation/recommendations.resolver.js';

import { contractsFor } from '@agora/contracts';
import type { ContextDefinition } from '@agora/host';
import { AlsoBoughtResolver } from './features/also-bought/also-bought.resolver.js';
import { RecommendationsResolver } from './features/recommended-for-me/recommended-for-me.resolver.js';
import { RecommendationOrdersHandler } from './integration/recommendation-orders.handler.js';
import { recommendationReadModel } from './read-model/recommendation-read-model.js';
import { RecommendationModule } from './recommendation.module.js';

/** The recommendation context as a host composes it. */
export const recommendationContext: ContextDefinition = {
  name: 'recommendation',
  title: 'Agora recommendation',
  description: 'The recommendation context: purchase history and products bought together.',
  ports: { http: 3005, embeddedPostgres: 54335 },
  modules: () => [RecommendationModule],
  graphql: { resolvers: [RecommendationsResolver], alone: [AlsoBoughtResolver] },
  readModels: [recommendationReadModel],
  handlers: [RecommendationOrdersHandler],
  consumes: contractsFor('order.order-confirmed.v1'),
};

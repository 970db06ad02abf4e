import { AlsoBoughtResolver, graphqlFor, RecommendationsResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { RecommendationModule, RecommendationOrdersHandler, recommendationReadModel } from '@agora/recommendation';

await runContextApp({
  app: 'recommendation',
  title: 'Agora recommendation',
  description: 'The recommendation context: purchase history and products bought together.',
  port: 3005,
  embeddedPostgresPort: 54335,
  readModels: [recommendationReadModel],
  modules: () => [RecommendationModule],
  checksTokenVersions: true,
  graphql: graphqlFor([RecommendationsResolver, AlsoBoughtResolver]),
  handlers: [RecommendationOrdersHandler],
});

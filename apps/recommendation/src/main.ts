import { runHost } from '@agora/host';
import { RecommendationAppModule } from './recommendation-app.module.js';

await runHost({
  app: 'recommendation',
  title: 'Agora recommendation',
  description: 'The recommendation context: purchase history and products bought together.',
  defaults: { PORT: '3005', EMBEDDED_POSTGRES_PORT: '54335', EMBEDDED_POSTGRES_DIR: '.data/recommendation/postgres' },
  consumesKafka: true,
  rootModule: (config, logger, secrets) => RecommendationAppModule.forRoot(config, logger, secrets),
});

import { runHost } from '@agora/host';
import { OrderAppModule } from './order-app.module.js';

await runHost({
  app: 'order',
  title: 'Agora order',
  description: 'The order context: orders, their prices and the checkout saga.',
  defaults: { PORT: '3002', EMBEDDED_POSTGRES_PORT: '54332', EMBEDDED_POSTGRES_DIR: '.data/order/postgres' },
  consumesKafka: true,
  rootModule: (config, logger, secrets) => OrderAppModule.forRoot(config, logger, secrets),
});

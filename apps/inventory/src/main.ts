import { runHost } from '@agora/host';
import { InventoryAppModule } from './inventory-app.module.js';

await runHost({
  app: 'inventory',
  title: 'Agora inventory',
  description: 'The inventory context: products, stock and order reservations.',
  defaults: { PORT: '3003', EMBEDDED_POSTGRES_PORT: '54333', EMBEDDED_POSTGRES_DIR: '.data/inventory/postgres' },
  consumesKafka: true,
  rootModule: (config, logger, secrets) => InventoryAppModule.forRoot(config, logger, secrets),
});

import 'reflect-metadata';
import { createHttpApp, createLogger, listen, readConfigOrExit } from '@agora/platform';
import { ShopModule } from './shop.module.js';

const config = readConfigOrExit(process.env);
const logger = createLogger({ name: 'agora-shop', level: config.LOG_LEVEL });
const app = await createHttpApp(ShopModule.forRoot(config, logger), {
  logger,
  title: 'Agora',
  description: 'An event-sourced shop: users, inventory, orders, payments and recommendations in one process.',
  version: '0.1.0',
});
try {
  await listen(app, config, 'Agora shop');
} catch (error) {
  logger.fatal({ err: error }, 'The shop could not start listening');
  await app.close();
  process.exit(1);
}

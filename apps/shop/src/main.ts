import 'reflect-metadata';
import { configSchema, createHttpApp, createLogger, jwtSecret, listen, readConfigOrExit } from '@agora/platform';
import { DEMO_CUSTOMER } from './demo-data.js';
import { ShopModule } from './shop.module.js';

const config = readConfigOrExit(process.env);
const logger = createLogger({ name: 'agora-shop', level: config.LOG_LEVEL });
const secret = await jwtSecret(config.JWT_SECRET, config.JWT_SECRET_FILE);
const app = await createHttpApp(ShopModule.forRoot(config, logger, { jwtSecret: secret }), {
  logger,
  title: 'Agora',
  description: 'An event-sourced shop: users, inventory, orders, payments and recommendations in one process.',
  version: '0.1.0',
});
try {
  // The demo's own passwords are printed; one set in ADMIN_PASSWORD is not.
  const adminPassword = config.ADMIN_PASSWORD === configSchema.shape.ADMIN_PASSWORD.parse(undefined) ? config.ADMIN_PASSWORD : '(ADMIN_PASSWORD)';
  await listen(app, config, 'Agora shop', [
    `Sign in with POST /api/auth/login as ${config.ADMIN_EMAIL} / ${adminPassword} (admin)`,
    ...(config.DEMO_DATA ? [`                                  or ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password} (customer)`] : []),
  ]);
} catch (error) {
  logger.fatal({ err: error }, 'The shop could not start listening');
  await app.close();
  process.exit(1);
}

import { fileURLToPath } from 'node:url';
import { runHost } from '@agora/host';
import { DEMO_ADMIN_PASSWORD } from '@agora/platform';
import { DEMO_CUSTOMER } from '@agora/user';
import { ShopModule } from './shop.module.js';

await runHost({
  app: 'shop',
  title: 'Agora shop',
  apiTitle: 'Agora',
  graphql: true,
  // Built beside the app by `npm run build` (scripts/build-console.ts): dist/apps/shop/console.
  consoleFolder: fileURLToPath(new URL('../../../console/', import.meta.url)),
  description: 'An event-sourced shop: users, inventory, orders, payments and recommendations in one process.',
  rootModule: (config, logger, secrets) => ShopModule.forRoot(config, logger, secrets),
  notes: (config) => {
    // The demo's own passwords are printed; one set in ADMIN_PASSWORD is not.
    const adminPassword = config.ADMIN_PASSWORD === undefined ? DEMO_ADMIN_PASSWORD : '(ADMIN_PASSWORD)';
    return [
      `Sign in with POST /api/auth/login as ${config.ADMIN_EMAIL} / ${adminPassword} (admin)`,
      ...(config.DEMO_DATA ? [`                                  or ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password} (customer)`] : []),
    ];
  },
});

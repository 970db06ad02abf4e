import { runHost } from '@agora/host';
import { UserAppModule } from './user-app.module.js';

await runHost({
  app: 'user',
  title: 'Agora user',
  description: 'The user context: accounts, sign-in and roles.',
  defaults: { PORT: '3001', EMBEDDED_POSTGRES_PORT: '54331', EMBEDDED_POSTGRES_DIR: '.data/user/postgres' },
  rootModule: (config, logger, secrets) => UserAppModule.forRoot(config, logger, secrets),
});

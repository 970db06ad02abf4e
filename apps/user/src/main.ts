import { graphqlFor, UsersResolver } from '@agora/graphql';
import { onBootstrap, runContextApp } from '@agora/host';
import { adminPassword } from '@agora/platform';
import { RegisterUserHandler, seedUsers, UserModule, UserOutboundMapping, userReadModel } from '@agora/user';

await runContextApp({
  app: 'user',
  title: 'Agora user',
  description: 'The user context: accounts, sign-in and roles.',
  port: 3001,
  embeddedPostgresPort: 54331,
  readModels: [userReadModel],
  modules: (config) => [UserModule.forRoot(config)],
  graphql: graphqlFor([UsersResolver]),
  outbound: [UserOutboundMapping],
  providers: (config) => {
    // Before anything starts: in production a missing ADMIN_PASSWORD stops the app.
    const admin = adminPassword(config);
    return [
      onBootstrap('seed', [RegisterUserHandler], (users: RegisterUserHandler) =>
        seedUsers(users, { adminEmail: config.ADMIN_EMAIL, adminPassword: admin, demoCustomer: config.DEMO_DATA }),
      ),
    ];
  },
});

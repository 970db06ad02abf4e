import { graphqlFor, UsersResolver } from '@agora/graphql';
import { onBootstrap, runContextApp } from '@agora/host';
import { RegisterUserHandler, seedUsers, UserModule, userReadModel } from '@agora/user';

await runContextApp({
  app: 'user',
  title: 'Agora user',
  description: 'The user context: accounts, sign-in and roles.',
  port: 3001,
  embeddedPostgresPort: 54331,
  readModels: [userReadModel],
  modules: (config) => [UserModule.forRoot(config)],
  graphql: graphqlFor([UsersResolver]),
  providers: (config) => [
    onBootstrap('seed', [RegisterUserHandler], (users: RegisterUserHandler) =>
      seedUsers(users, { adminEmail: config.ADMIN_EMAIL, adminPassword: config.ADMIN_PASSWORD, demoCustomer: config.DEMO_DATA }),
    ),
  ],
});

import { contractsFor } from '@agora/contracts';
import type { ContextDefinition } from '@agora/host';
import { ResetPasswordResolver } from './features/change-password/reset-password.resolver.js';
import { LoginResolver } from './features/login/login.resolver.js';
import { MeResolver } from './features/me/me.resolver.js';
import { RegisterUserResolver } from './features/register-user/register-user.resolver.js';
import { SignOutResolver } from './features/sign-out/sign-out.resolver.js';
import { adminPassword } from '@agora/platform';
import { RegisterUserHandler } from './features/register-user/register-user.handler.js';
import { seedUsers } from './features/seed-users/seed-users.js';
import { UserOutboundMapping } from './integration/user-outbound.mapping.js';
import { userReadModel } from './read-model/user-read-model.js';
import { UserModule } from './user.module.js';
import { EMAIL_CLAIM_EVENT_TYPES } from './domain/email-claim.js';
import { USER_EVENT_TYPES } from './domain/user.js';

/** The user context's GraphQL: each use case's resolver beside its controller. */
export const USER_RESOLVERS = [MeResolver, RegisterUserResolver, LoginResolver, ResetPasswordResolver, SignOutResolver];

/** The user context as a host composes it. */
export const userContext: ContextDefinition = {
  name: 'user',
  title: 'Agora user',
  description: 'The user context: accounts, sign-in and roles.',
  ports: { http: 3001, embeddedPostgres: 54331 },
  modules: (config) => [UserModule.forRoot(config)],
  graphql: { resolvers: USER_RESOLVERS },
  readModels: [userReadModel],
  events: [...USER_EVENT_TYPES, ...EMAIL_CLAIM_EVENT_TYPES],
  outbound: [UserOutboundMapping],
  publishes: contractsFor('user.token-version-changed.v1'),
  issuesTokens: true,
  seed: (config) => {
    // At composition, before anything starts: in production a missing ADMIN_PASSWORD stops the host.
    const admin = adminPassword(config);
    return {
      inject: [RegisterUserHandler],
      run: (users: RegisterUserHandler) => seedUsers(users, { adminEmail: config.ADMIN_EMAIL, adminPassword: admin, demoCustomer: config.DEMO_DATA }),
    };
  },
};

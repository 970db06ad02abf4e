import { Logger } from '@nestjs/common';
import { requestContext } from '@agora/event-sourcing';
import { EmailTaken } from '../../domain/errors.js';
import type { RegisterUserHandler } from '../register-user/register-user.handler.js';

export interface UserSeedOptions {
  readonly adminEmail: string;
  /** As `adminPassword` of `@agora/platform` gives it: `demo` when ADMIN_PASSWORD is unset outside production. */
  readonly adminPassword: { readonly password: string; readonly demo: boolean };
  /** Also a demo customer (DEMO_CUSTOMER). */
  readonly demoCustomer: boolean;
}

export const DEMO_CUSTOMER = { email: 'customer@agora.local', password: 'agora-customer', name: 'Demo Customer' } as const;

/**
 * The users a host makes sure of at start: the administrator of ADMIN_EMAIL if nobody
 * has that email yet, and the demo customer when asked. Safe at every start and on
 * several hosts at once (each write is idempotent or refused). An administrator who
 * exists keeps their password: it changes over the API (PUT /api/users/me/password).
 */
export async function seedUsers(users: RegisterUserHandler, options: UserSeedOptions): Promise<void> {
  const { password, demo } = options.adminPassword;
  const admin = await users.ensureAdmin(options.adminEmail, password, 'Administrator', requestContext('seed'));
  if (admin.created && demo) {
    new Logger('Seed').warn(
      `Created the administrator ${options.adminEmail} with the demo password ${password}, as ADMIN_PASSWORD is not set (NODE_ENV=production requires it): ` +
        'change it with PUT /api/users/me/password outside a demo.',
    );
  } else if (admin.created) {
    new Logger('Seed').log(`Created the administrator ${options.adminEmail} with the password from ADMIN_PASSWORD.`);
  }
  if (!options.demoCustomer) return;
  await users.execute({ ...DEMO_CUSTOMER }, requestContext('seed')).catch((error: unknown) => {
    if (!(error instanceof EmailTaken)) throw error;
  });
}

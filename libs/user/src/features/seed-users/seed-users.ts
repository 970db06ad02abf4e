import { Logger } from '@nestjs/common';
import { requestContext } from '@agora/event-sourcing';
import { EmailTaken } from '../../domain/errors.js';
import type { RegisterUserHandler } from '../register-user/register-user.handler.js';

export interface UserSeedOptions {
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** Also a demo customer (DEMO_CUSTOMER). */
  readonly demoCustomer: boolean;
}

export const DEMO_CUSTOMER = { email: 'customer@agora.local', password: 'agora-customer', name: 'Demo Customer' } as const;

/**
 * The users a host makes sure of at start: the administrator of ADMIN_EMAIL if nobody
 * has that email yet, and the demo customer when asked. Safe at every start and on
 * several hosts at once (each write is idempotent or refused).
 */
export async function seedUsers(users: RegisterUserHandler, options: UserSeedOptions): Promise<void> {
  const admin = await users.ensureAdmin(options.adminEmail, options.adminPassword, 'Administrator', requestContext('seed'));
  if (admin.created) new Logger('Seed').warn(`Created the administrator ${options.adminEmail} with the password from ADMIN_PASSWORD; change it outside a demo.`);
  if (!options.demoCustomer) return;
  await users.execute({ ...DEMO_CUSTOMER }, requestContext('seed')).catch((error: unknown) => {
    if (!(error instanceof EmailTaken)) throw error;
  });
}

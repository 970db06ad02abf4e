import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { requestContext, type MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { EmailTaken } from '../../domain/errors.js';
import { requireAcceptablePassword } from '../../domain/password-policy.js';
import { userDecider, type UserRole } from '../../domain/user.js';
import { usersProjection } from '../../read-model/users.projection.js';
import { hashPassword } from '../passwords.js';
import { UserAccounts } from '../user-accounts.js';

export interface RegisterUser {
  readonly email: string;
  readonly name: string;
  readonly password: string;
  /** Default `customer`. */
  readonly role?: UserRole;
}

@Injectable()
export class RegisterUserHandler {
  constructor(
    private readonly accounts: UserAccounts,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
  ) {}

  /** Throws `EmailTaken` when the address is taken in any letter case, `InvalidUserField` for a bad field. */
  async execute({ email, name, password, role = 'customer' }: RegisterUser, context: MessageContext): Promise<{ userId: string }> {
    requireAcceptablePassword(password);
    const userId = randomUUID();
    const passwordHash = await hashPassword(password);
    const command = { type: 'register', userId, email, name, role, passwordHash, at: new Date().toISOString() } as const;
    const { position } = await this.accounts.write(userId, (user) => userDecider.decide(command, user), context);
    await this.readModels.waitFor(usersProjection.name, position);
    return { userId };
  }

  /**
   * Registers an admin unless the address is taken (by anyone, with any role), for a host
   * to run at every start. `created` says whether this call registered them.
   */
  async ensureAdmin(email: string, password: string, name: string, context: MessageContext = requestContext()): Promise<{ userId: string; created: boolean }> {
    try {
      return { ...(await this.execute({ email, name, password, role: 'admin' }, context)), created: true };
    } catch (error) {
      if (!(error instanceof EmailTaken)) throw error;
      // Registering also finished a registration of this address that a crash interrupted.
      const claimant = await this.accounts.claimantOf(email);
      if (claimant === undefined) throw error;
      return { userId: claimant, created: false };
    }
  }
}

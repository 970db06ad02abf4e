import { Inject, Injectable } from '@nestjs/common';
import type { MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { UserNotFound } from '../../domain/errors.js';
import { requireAcceptablePassword } from '../../domain/password-policy.js';
import { userDecider } from '../../domain/user.js';
import { usersProjection } from '../../read-model/users.projection.js';
import { hashPassword } from '../passwords.js';
import { UserTokenHolders } from '../token-holders/user-token-holders.js';
import { isUserId, UserAccounts } from '../user-accounts.js';

/**
 * A new password for a user, set by an administrator without the old one (the caller
 * checks the role). Every token of the user issued before stops counting. Throws
 * `InvalidUserField`, `UserNotFound`.
 */
@Injectable()
export class ResetPasswordHandler {
  constructor(
    private readonly accounts: UserAccounts,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
    private readonly holders: UserTokenHolders,
  ) {}

  async execute(userId: string, newPassword: string, context: MessageContext): Promise<void> {
    requireAcceptablePassword(newPassword);
    if (!isUserId(userId)) throw new UserNotFound(userId);
    // Refused before the hash is paid for: an unknown id writes nothing either way.
    if ((await this.accounts.load(userId)).state.status === 'none') throw new UserNotFound(userId);
    const command = { type: 'reset-password', userId, passwordHash: await hashPassword(newPassword), at: new Date().toISOString() } as const;
    const { position } = await this.accounts.write(userId, (user) => userDecider.decide(command, user), context);
    await this.readModels.waitFor(usersProjection.name, position);
    this.holders.forget(userId);
  }
}

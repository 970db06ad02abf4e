import { Inject, Injectable } from '@nestjs/common';
import type { MessageContext } from '@agora/event-sourcing';
import { AccessTokens, type AccessToken } from '@agora/platform';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { UserNotFound, WrongPassword } from '../../domain/errors.js';
import { requireAcceptablePassword } from '../../domain/password-policy.js';
import { userDecider } from '../../domain/user.js';
import { usersProjection } from '../../read-model/users.projection.js';
import { hashPassword, passwordMatches } from '../passwords.js';
import { SignInThrottle } from '../throttling/sign-in-throttle.js';
import { UserTokenHolders } from '../token-holders/user-token-holders.js';
import { isUserId, UserAccounts } from '../user-accounts.js';

/**
 * The signed-in user's new password, for their current one. Every token issued before
 * stops counting; the answer is a new one, so the caller stays signed in. A wrong current
 * password counts as a failed sign-in of the account and of the client `address`
 * (`SignInThrottle`), so a stolen token cannot be used to guess it. Throws
 * `InvalidUserField`, `WrongPassword`, `UserNotFound`, `TooManyAttempts`; nothing is
 * written for any of them.
 */
@Injectable()
export class ChangePasswordHandler {
  constructor(
    private readonly accounts: UserAccounts,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
    private readonly throttle: SignInThrottle,
    private readonly holders: UserTokenHolders,
    private readonly tokens: AccessTokens,
  ) {}

  async execute(userId: string, currentPassword: string, newPassword: string, address: string, context: MessageContext): Promise<AccessToken> {
    requireAcceptablePassword(newPassword);
    const { state: user } = isUserId(userId) ? await this.accounts.load(userId) : { state: { status: 'none' } as const };
    if (user.status === 'none') throw new UserNotFound(userId);
    await this.throttle.beforeSignIn(user.email, address);
    if (!(await passwordMatches(currentPassword, user.passwordHash))) throw new WrongPassword();
    await this.throttle.signInSucceeded(user.email, address);
    const command = { type: 'change-password', userId, verifiedPasswordHash: user.passwordHash, passwordHash: await hashPassword(newPassword), at: new Date().toISOString() } as const;
    const { state, position } = await this.accounts.write(userId, (current) => userDecider.decide(command, current), context);
    if (state.status === 'none') throw new UserNotFound(userId);
    await this.readModels.waitFor(usersProjection.name, position);
    this.holders.forget(userId);
    return this.tokens.issue({ userId, role: state.role, tokenVersion: state.tokenVersion });
  }
}

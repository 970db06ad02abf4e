import { Inject, Injectable } from '@nestjs/common';
import type { MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { UserNotFound } from '../../domain/errors.js';
import { userDecider } from '../../domain/user.js';
import { usersProjection } from '../../read-model/users.projection.js';
import { UserTokenHolders } from '../token-holders/user-token-holders.js';
import { isUserId, UserAccounts } from '../user-accounts.js';

/** Signs the user out everywhere: every token issued to them so far stops counting. Throws `UserNotFound`. */
@Injectable()
export class SignOutHandler {
  constructor(
    private readonly accounts: UserAccounts,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
    private readonly holders: UserTokenHolders,
  ) {}

  async execute(userId: string, context: MessageContext): Promise<void> {
    if (!isUserId(userId)) throw new UserNotFound(userId);
    const command = { type: 'sign-out', userId, at: new Date().toISOString() } as const;
    const { position } = await this.accounts.write(userId, (user) => userDecider.decide(command, user), context);
    await this.readModels.waitFor(usersProjection.name, position);
    this.holders.forget(userId);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { UserNotFound } from '../../domain/errors.js';
import { userDecider } from '../../domain/user.js';
import { usersProjection } from '../../read-model/users.projection.js';
import { UserView } from '../get-user/user.view.js';
import { isUserId, UserAccounts } from '../user-accounts.js';

export interface ProfileChanges {
  readonly name?: string;
  readonly email?: string;
}

/**
 * Changes a user's name and/or email address. A new address is claimed first; the old one
 * is free for anyone as soon as the change is recorded. Throws `UserNotFound`,
 * `InvalidUserField`, `EmailTaken`.
 */
@Injectable()
export class ChangeProfileHandler {
  constructor(
    private readonly accounts: UserAccounts,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
  ) {}

  async execute(userId: string, changes: ProfileChanges, context: MessageContext): Promise<UserView> {
    if (!isUserId(userId)) throw new UserNotFound(userId);
    const at = new Date().toISOString();
    const command = { type: 'change-profile', userId, ...changes, at } as const;
    const { state, position } = await this.accounts.write(userId, (user) => userDecider.decide(command, user), context);
    if (state.status === 'none') throw new UserNotFound(userId);
    await this.readModels.waitFor(usersProjection.name, position);
    return UserView.of(state);
  }
}

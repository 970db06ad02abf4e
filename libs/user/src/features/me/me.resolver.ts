import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { ChangePasswordHandler } from '../change-password/change-password.handler.js';
import { ChangePasswordRequest } from '../change-password/change-password.request.js';
import { GetUserHandler } from '../get-user/get-user.handler.js';
import { User } from '../get-user/user.graphql.js';
import { LoginResponse } from '../login/login.request.js';
import { TooManyAttemptsFilter } from '../throttling/too-many-attempts.filter.js';
import { UserErrorFilter } from '../user-error.filter.js';

/** /api/users/me over GraphQL: the signed-in user, and their password. */
@Resolver()
@UseFilters(UserErrorFilter, TooManyAttemptsFilter)
export class MeResolver {
  constructor(
    private readonly users: GetUserHandler,
    private readonly passwords: ChangePasswordHandler,
  ) {}

  @Query(() => User, { description: 'The signed-in user.' })
  me(@CurrentUser() principal: Principal): Promise<User> {
    return this.users.execute(principal.userId);
  }

  @Mutation(() => LoginResponse, { description: "Changes the signed-in user's password; every token issued before stops counting, and the answer is a new one." })
  changePassword(
    @Args('input') input: ChangePasswordRequest,
    @CurrentUser() principal: Principal,
    @ClientAddress() address: string,
    @CorrelationId() correlationId: string,
  ): Promise<LoginResponse> {
    return this.passwords.execute(principal.userId, input.currentPassword, input.newPassword, address, requestContext(correlationId, { userId: principal.userId }));
  }
}

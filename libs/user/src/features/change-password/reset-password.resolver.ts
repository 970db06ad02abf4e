import { ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, Roles, type Principal } from '@agora/platform';
import { UserErrorFilter } from '../user-error.filter.js';
import { ResetPasswordRequest } from './change-password.request.js';
import { ResetPasswordHandler } from './reset-password.handler.js';

/** PUT /api/users/{id}/password over GraphQL (admin). */
@Resolver()
@UseFilters(UserErrorFilter)
export class ResetPasswordResolver {
  constructor(private readonly resets: ResetPasswordHandler) {}

  @Roles('admin')
  @Mutation(() => Boolean, { description: "Sets a user's password without the old one (admin); their tokens issued before stop counting." })
  async resetPassword(
    @Args('id', { type: () => ID }, new ParseUUIDPipe()) userId: string,
    @Args('input') input: ResetPasswordRequest,
    @CurrentUser() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<true> {
    await this.resets.execute(userId, input.newPassword, requestContext(correlationId, { userId: principal.userId }));
    return true;
  }
}

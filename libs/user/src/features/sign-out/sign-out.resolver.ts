import { UseFilters } from '@nestjs/common';
import { Mutation, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { UserErrorFilter } from '../user-error.filter.js';
import { SignOutHandler } from './sign-out.handler.js';

/** POST /api/auth/logout over GraphQL. */
@Resolver()
@UseFilters(UserErrorFilter)
export class SignOutResolver {
  constructor(private readonly signOuts: SignOutHandler) {}

  @Mutation(() => Boolean, { description: 'Signs out everywhere: every token issued to the signed-in user so far stops counting.' })
  async logout(@CurrentUser() principal: Principal, @CorrelationId() correlationId: string): Promise<true> {
    await this.signOuts.execute(principal.userId, requestContext(correlationId, { userId: principal.userId }));
    return true;
  }
}

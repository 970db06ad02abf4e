import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CorrelationId, Public } from '@agora/platform';
import { GetUserHandler } from '../get-user/get-user.handler.js';
import { User } from '../get-user/user.graphql.js';
import { SignInThrottle } from '../throttling/sign-in-throttle.js';
import { TooManyAttemptsFilter } from '../throttling/too-many-attempts.filter.js';
import { UserErrorFilter } from '../user-error.filter.js';
import { RegisterUserHandler } from './register-user.handler.js';
import { RegisterUserRequest } from './register-user.request.js';

/** POST /api/users over GraphQL, under the same limit per address. */
@Resolver()
@UseFilters(UserErrorFilter, TooManyAttemptsFilter)
export class RegisterUserResolver {
  constructor(
    private readonly registration: RegisterUserHandler,
    private readonly throttle: SignInThrottle,
    private readonly users: GetUserHandler,
  ) {}

  @Public()
  @Mutation(() => User, { description: 'Registers a customer.' })
  async register(@Args('input') input: RegisterUserRequest, @ClientAddress() address: string, @CorrelationId() correlationId: string): Promise<User> {
    await this.throttle.beforeRegistration(address);
    const { userId } = await this.registration.execute(input, requestContext(correlationId));
    return this.users.execute(userId);
  }
}

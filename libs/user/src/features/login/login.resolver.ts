import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { ClientAddress, Public } from '@agora/platform';
import { TooManyAttemptsFilter } from '../throttling/too-many-attempts.filter.js';
import { UserErrorFilter } from '../user-error.filter.js';
import { LoginHandler } from './login.handler.js';
import { LoginRequest, LoginResponse } from './login.request.js';

/** POST /api/auth/login over GraphQL, under the same sign-in throttle. */
@Resolver()
@UseFilters(UserErrorFilter, TooManyAttemptsFilter)
export class LoginResolver {
  constructor(private readonly logins: LoginHandler) {}

  @Public()
  @Mutation(() => LoginResponse, { description: 'Trades an email and password for an access token.' })
  login(@Args('input') input: LoginRequest, @ClientAddress() address: string): Promise<LoginResponse> {
    return this.logins.execute(input.email, input.password, address);
  }
}

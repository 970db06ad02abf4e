import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CurrentUser, Public, type Principal } from '@agora/platform';
import {
  GetUserHandler,
  LoginHandler,
  LoginRequest,
  LoginResponse,
  RegisterUserHandler,
  RegisterUserRequest,
  SignInThrottle,
  TooManyAttemptsFilter,
  UserErrorFilter,
} from '@agora/user';
import { randomUUID } from 'node:crypto';
import { User } from './user.types.js';

/** Accounts over GraphQL: the user context's handlers. */
@Resolver(() => User)
@UseFilters(UserErrorFilter, TooManyAttemptsFilter)
export class UsersResolver {
  constructor(
    private readonly users: GetUserHandler,
    private readonly registration: RegisterUserHandler,
    private readonly logins: LoginHandler,
    private readonly throttle: SignInThrottle,
  ) {}

  @Query(() => User, { description: 'The signed-in user.' })
  me(@CurrentUser() principal: Principal): Promise<User> {
    return this.users.execute(principal.userId);
  }

  @Public()
  @Mutation(() => User, { description: 'Registers a customer.' })
  async register(@Args('input') input: RegisterUserRequest, @ClientAddress() address: string): Promise<User> {
    await this.throttle.beforeRegistration(address);
    const { userId } = await this.registration.execute(input, requestContext(randomUUID()));
    return this.users.execute(userId);
  }

  @Public()
  @Mutation(() => LoginResponse, { description: 'Trades an email and password for an access token.' })
  login(@Args('input') input: LoginRequest, @ClientAddress() address: string): Promise<LoginResponse> {
    return this.logins.execute(input.email, input.password, address);
  }
}

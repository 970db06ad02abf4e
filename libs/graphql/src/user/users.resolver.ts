import { ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CurrentUser, Public, Roles, type Principal } from '@agora/platform';
import {
  ChangePasswordHandler,
  ChangePasswordRequest,
  GetUserHandler,
  LoginHandler,
  LoginRequest,
  LoginResponse,
  RegisterUserHandler,
  RegisterUserRequest,
  ResetPasswordHandler,
  ResetPasswordRequest,
  SignInThrottle,
  SignOutHandler,
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
    private readonly passwords: ChangePasswordHandler,
    private readonly resets: ResetPasswordHandler,
    private readonly signOuts: SignOutHandler,
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

  @Mutation(() => LoginResponse, { description: "Changes the signed-in user's password; every token issued before stops counting, and the answer is a new one." })
  changePassword(@Args('input') input: ChangePasswordRequest, @CurrentUser() principal: Principal, @ClientAddress() address: string): Promise<LoginResponse> {
    return this.passwords.execute(principal.userId, input.currentPassword, input.newPassword, address, requestContext(randomUUID(), { userId: principal.userId }));
  }

  @Roles('admin')
  @Mutation(() => Boolean, { description: "Sets a user's password without the old one (admin); their tokens issued before stop counting." })
  async resetPassword(@Args('id', { type: () => ID }, new ParseUUIDPipe()) userId: string, @Args('input') input: ResetPasswordRequest, @CurrentUser() principal: Principal): Promise<true> {
    await this.resets.execute(userId, input.newPassword, requestContext(randomUUID(), { userId: principal.userId }));
    return true;
  }

  @Mutation(() => Boolean, { description: 'Signs out everywhere: every token issued to the signed-in user so far stops counting.' })
  async logout(@CurrentUser() principal: Principal): Promise<true> {
    await this.signOuts.execute(principal.userId, requestContext(randomUUID(), { userId: principal.userId }));
    return true;
  }
}

import { ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CorrelationId, CurrentUser, Public, Roles, type Principal } from '@agora/platform';
import { ChangePasswordHandler } from '../features/change-password/change-password.handler.js';
import { ChangePasswordRequest, ResetPasswordRequest } from '../features/change-password/change-password.request.js';
import { ResetPasswordHandler } from '../features/change-password/reset-password.handler.js';
import { GetUserHandler } from '../features/get-user/get-user.handler.js';
import { LoginHandler } from '../features/login/login.handler.js';
import { LoginRequest, LoginResponse } from '../features/login/login.request.js';
import { RegisterUserHandler } from '../features/register-user/register-user.handler.js';
import { RegisterUserRequest } from '../features/register-user/register-user.request.js';
import { SignOutHandler } from '../features/sign-out/sign-out.handler.js';
import { SignInThrottle } from '../features/throttling/sign-in-throttle.js';
import { TooManyAttemptsFilter } from '../features/throttling/too-many-attempts.filter.js';
import { UserErrorFilter } from '../features/user-error.filter.js';
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
  async register(@Args('input') input: RegisterUserRequest, @ClientAddress() address: string, @CorrelationId() correlationId: string): Promise<User> {
    await this.throttle.beforeRegistration(address);
    const { userId } = await this.registration.execute(input, requestContext(correlationId));
    return this.users.execute(userId);
  }

  @Public()
  @Mutation(() => LoginResponse, { description: 'Trades an email and password for an access token.' })
  login(@Args('input') input: LoginRequest, @ClientAddress() address: string): Promise<LoginResponse> {
    return this.logins.execute(input.email, input.password, address);
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

  @Mutation(() => Boolean, { description: 'Signs out everywhere: every token issued to the signed-in user so far stops counting.' })
  async logout(@CurrentUser() principal: Principal, @CorrelationId() correlationId: string): Promise<true> {
    await this.signOuts.execute(principal.userId, requestContext(correlationId, { userId: principal.userId }));
    return true;
  }
}

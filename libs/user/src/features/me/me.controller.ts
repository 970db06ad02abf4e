import { Body, Controller, Get, Patch, Put, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { ChangePasswordHandler } from '../change-password/change-password.handler.js';
import { ChangePasswordRequest } from '../change-password/change-password.request.js';
import { ChangeProfileHandler } from '../change-profile/change-profile.handler.js';
import { LoginResponse } from '../login/login.request.js';
import { TooManyAttemptsFilter } from '../throttling/too-many-attempts.filter.js';
import { GetUserHandler } from '../get-user/get-user.handler.js';
import { UserView } from '../get-user/user.view.js';
import { UserErrorFilter } from '../user-error.filter.js';
import { ChangeProfileRequest } from './change-profile.request.js';

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@Controller('users')
@UseFilters(UserErrorFilter, TooManyAttemptsFilter)
export class MeController {
  constructor(
    private readonly users: GetUserHandler,
    private readonly profiles: ChangeProfileHandler,
    private readonly passwords: ChangePasswordHandler,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() principal: Principal): Promise<UserView> {
    return this.users.execute(principal.userId);
  }

  @Patch('me')
  @ApiOperation({ summary: "Change the signed-in user's name or email" })
  @ApiOkResponse({ type: UserView })
  @ApiBadRequestResponse({ description: 'A field is invalid or unknown; the message names it.' })
  @ApiConflictResponse({ description: 'The new email belongs to another user.' })
  change(@CurrentUser() principal: Principal, @Body() body: ChangeProfileRequest, @CorrelationId() correlationId: string): Promise<UserView> {
    return this.profiles.execute(
      principal.userId,
      { ...(body.name !== undefined && { name: body.name }), ...(body.email !== undefined && { email: body.email }) },
      requestContext(correlationId, { userId: principal.userId }),
    );
  }

  @Put('me/password')
  @ApiOperation({
    summary: "Change the signed-in user's password",
    description: 'Every token issued to the user before stops counting; the answer is a new one. A wrong currentPassword counts as a failed sign-in.',
  })
  @ApiOkResponse({ type: LoginResponse, description: 'A new access token.' })
  @ApiBadRequestResponse({ description: 'A field is missing or breaks its rule (newPassword: 8 to 128 characters); the message names it.' })
  @ApiForbiddenResponse({ description: 'currentPassword is wrong; nothing changes.' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed sign-ins for the account or from the address; `Retry-After` says how many seconds to wait.' })
  changePassword(
    @CurrentUser() principal: Principal,
    @Body() body: ChangePasswordRequest,
    @ClientAddress() address: string,
    @CorrelationId() correlationId: string,
  ): Promise<LoginResponse> {
    return this.passwords.execute(principal.userId, body.currentPassword, body.newPassword, address, requestContext(correlationId, { userId: principal.userId }));
  }
}

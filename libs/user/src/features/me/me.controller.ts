import { Body, Controller, Get, Patch, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { ChangeProfileHandler } from '../change-profile/change-profile.handler.js';
import { GetUserHandler } from '../get-user/get-user.handler.js';
import { UserView } from '../get-user/user.view.js';
import { UserErrorFilter } from '../user-error.filter.js';
import { ChangeProfileRequest } from './change-profile.request.js';

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@Controller('users')
@UseFilters(UserErrorFilter)
export class MeController {
  constructor(
    private readonly users: GetUserHandler,
    private readonly profiles: ChangeProfileHandler,
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
}

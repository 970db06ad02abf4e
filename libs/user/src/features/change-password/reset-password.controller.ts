import { Body, Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Put, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, Roles, type Principal } from '@agora/platform';
import { UserErrorFilter } from '../user-error.filter.js';
import { ResetPasswordRequest } from './change-password.request.js';
import { ResetPasswordHandler } from './reset-password.handler.js';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: "Only an admin resets another user's password." })
@Controller('users')
@UseFilters(UserErrorFilter)
export class ResetPasswordController {
  constructor(private readonly handler: ResetPasswordHandler) {}

  @Put(':id/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Set a user's password without the old one (admin); the user's tokens issued before stop counting" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'The password is set.' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID, or newPassword breaks its rule; the message names it.' })
  @ApiNotFoundResponse({ description: 'There is no such user.' })
  reset(@Param('id', new ParseUUIDPipe()) userId: string, @Body() body: ResetPasswordRequest, @CurrentUser() principal: Principal, @CorrelationId() correlationId: string): Promise<void> {
    return this.handler.execute(userId, body.newPassword, requestContext(correlationId, { userId: principal.userId }));
  }
}

import { Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { UserErrorFilter } from '../user-error.filter.js';
import { SignOutHandler } from './sign-out.handler.js';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
@UseFilters(UserErrorFilter)
export class SignOutController {
  constructor(private readonly handler: SignOutHandler) {}

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Sign out everywhere: every token issued to the signed-in user so far stops counting' })
  @ApiNoContentResponse({ description: 'Signed out.' })
  @ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
  logout(@CurrentUser() principal: Principal, @CorrelationId() correlationId: string): Promise<void> {
    return this.handler.execute(principal.userId, requestContext(correlationId, { userId: principal.userId }));
  }
}

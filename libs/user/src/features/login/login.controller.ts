import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ClientAddress, Public } from '@agora/platform';
import { TooManyAttemptsFilter } from '../throttling/too-many-attempts.filter.js';
import { LoginHandler } from './login.handler.js';
import { LoginRequest, LoginResponse } from './login.request.js';

@ApiTags('auth')
@Public()
@Controller('auth')
@UseFilters(TooManyAttemptsFilter)
export class LoginController {
  constructor(private readonly handler: LoginHandler) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Trade an email and password for an access token (JWT)' })
  @ApiOkResponse({ type: LoginResponse })
  @ApiBadRequestResponse({ description: 'email or password missing.' })
  @ApiUnauthorizedResponse({ description: 'The email or the password is wrong.' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed sign-ins for the account or from the address; `Retry-After` says how many seconds to wait.' })
  login(@Body() body: LoginRequest, @ClientAddress() address: string): Promise<LoginResponse> {
    return this.handler.execute(body.email, body.password, address);
  }
}

import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '@agora/platform';
import { LoginHandler } from './login.handler.js';
import { LoginRequest, LoginResponse } from './login.request.js';

@ApiTags('auth')
@Public()
@Controller('auth')
export class LoginController {
  constructor(private readonly handler: LoginHandler) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Trade an email and password for an access token (JWT)' })
  @ApiOkResponse({ type: LoginResponse })
  @ApiBadRequestResponse({ description: 'email or password missing.' })
  @ApiUnauthorizedResponse({ description: 'The email or the password is wrong.' })
  login(@Body() body: LoginRequest): Promise<LoginResponse> {
    return this.handler.execute(body.email, body.password);
  }
}

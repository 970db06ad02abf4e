import { Body, Controller, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { ClientAddress, CorrelationId, Public } from '@agora/platform';
import { SignInThrottle } from '../throttling/sign-in-throttle.js';
import { TooManyAttemptsFilter } from '../throttling/too-many-attempts.filter.js';
import { UserErrorFilter } from '../user-error.filter.js';
import { RegisterUserHandler } from './register-user.handler.js';
import { RegisterUserRequest, RegisterUserResponse } from './register-user.request.js';

@ApiTags('users')
@Controller('users')
@UseFilters(UserErrorFilter, TooManyAttemptsFilter)
export class RegisterUserController {
  constructor(
    private readonly handler: RegisterUserHandler,
    private readonly throttle: SignInThrottle,
  ) {}

  @Post()
  @Public()
  @ApiOperation({ summary: 'Register a customer account' })
  @ApiCreatedResponse({ type: RegisterUserResponse })
  @ApiBadRequestResponse({ description: 'A field is missing, invalid or unknown; the message names each one.' })
  @ApiConflictResponse({ description: 'The email address is already registered, in whatever letter case.' })
  @ApiTooManyRequestsResponse({ description: 'Too many registrations from the address; `Retry-After` says how many seconds to wait.' })
  async register(@Body() body: RegisterUserRequest, @CorrelationId() correlationId: string, @ClientAddress() address: string): Promise<RegisterUserResponse> {
    await this.throttle.beforeRegistration(address);
    const { email, name, password } = body;
    return this.handler.execute({ email, name, password }, requestContext(correlationId));
  }
}

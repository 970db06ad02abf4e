import { Body, Controller, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, Public } from '@agora/platform';
import { UserErrorFilter } from '../user-error.filter.js';
import { RegisterUserHandler } from './register-user.handler.js';
import { RegisterUserRequest, RegisterUserResponse } from './register-user.request.js';

@ApiTags('users')
@Controller('users')
@UseFilters(UserErrorFilter)
export class RegisterUserController {
  constructor(private readonly handler: RegisterUserHandler) {}

  @Post()
  @Public()
  @ApiOperation({ summary: 'Register a customer account' })
  @ApiCreatedResponse({ type: RegisterUserResponse })
  @ApiBadRequestResponse({ description: 'A field is missing, invalid or unknown; the message names each one.' })
  @ApiConflictResponse({ description: 'The email address is already registered, in whatever letter case.' })
  register(@Body() body: RegisterUserRequest, @CorrelationId() correlationId: string): Promise<RegisterUserResponse> {
    const { email, name, password } = body;
    return this.handler.execute({ email, name, password }, requestContext(correlationId));
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiUnauthorizedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@agora/platform';
import { PaymentsDto, PaymentsQuery } from './payments.dto.js';
import { GetPaymentsHandler } from './get-payments.handler.js';

@ApiTags('payments')
@ApiBearerAuth()
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: 'Payments are for admins: the payment context does not know whose order it is.' })
@Controller('payments')
export class GetPaymentsController {
  constructor(private readonly payments: GetPaymentsHandler) {}

  @Get()
  @ApiOperation({
    summary: 'An order’s charges and refunds',
    description: 'An order that has no payment yet answers with empty lists.',
  })
  @ApiOkResponse({ type: PaymentsDto })
  @ApiBadRequestResponse({ description: 'orderId is missing or not a UUID.' })
  get(@Query() query: PaymentsQuery): Promise<PaymentsDto> {
    return this.payments.execute(query.orderId);
  }
}

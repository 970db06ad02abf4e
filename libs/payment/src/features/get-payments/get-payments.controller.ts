import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiUnauthorizedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, streamName, type EventStore } from '@agora/event-sourcing';
import { Roles } from '@agora/platform';
import { PaymentsDto, PaymentsQuery } from './payments.dto.js';
import { paymentsView } from './payments-view.js';

@ApiTags('payments')
@ApiBearerAuth()
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: 'Payments are for admins: the payment context does not know whose order it is.' })
@Controller('payments')
export class GetPaymentsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({
    summary: 'An order’s charges and refunds',
    description: 'An order that has no payment yet answers with empty lists.',
  })
  @ApiOkResponse({ type: PaymentsDto })
  @ApiBadRequestResponse({ description: 'orderId is missing or not a UUID.' })
  async get(@Query() query: PaymentsQuery): Promise<PaymentsDto> {
    // Folded from the stream for now: one order's payment is a handful of events.
    return paymentsView(query.orderId, await this.store.readStream(streamName('payment', query.orderId)));
  }
}

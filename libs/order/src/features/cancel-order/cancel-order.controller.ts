import { Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, UseFilters } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { OrderAccess } from '../order-access.js';
import { PlaceOrderResponse } from '../place-order/place-order.request.js';
import { OrderErrorFilter } from '../order-error.filter.js';
import { RequestCancellationHandler } from './cancel-order.handler.js';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: "Another customer's order." })
@Controller('orders')
@UseFilters(OrderErrorFilter)
export class CancelOrderController {
  constructor(
    private readonly handler: RequestCancellationHandler,
    private readonly access: OrderAccess,
  ) {}

  @Post(':id/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Cancel a pending order',
    description: 'The checkout gives back what it has taken so far (reserved stock, a charge) and then cancels the order; follow it with GET /api/orders/{id}.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: PlaceOrderResponse, description: 'The cancellation is under way, or done (asking again changes nothing).' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'There is no such order.' })
  @ApiConflictResponse({ description: 'The order is confirmed or rejected.' })
  async cancel(@Param('id', new ParseUUIDPipe()) orderId: string, @CorrelationId() correlationId: string, @CurrentUser() principal: Principal): Promise<PlaceOrderResponse> {
    await this.access.orderFor(principal, orderId);
    return this.handler.execute(orderId, requestContext(correlationId, { userId: principal.userId }));
  }
}

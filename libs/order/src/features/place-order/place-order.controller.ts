import { BadRequestException, Body, Controller, Headers, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBadRequestResponse,
  ApiHeader,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '../../domain/bounds.js';
import { OrderErrorFilter } from '../order-error.filter.js';
import { PlaceOrderHandler } from './place-order.handler.js';
import { idempotencyKeyProblem, PlaceOrderRequest, PlaceOrderResponse } from './place-order.request.js';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@Controller('orders')
@UseFilters(OrderErrorFilter)
export class PlaceOrderController {
  constructor(private readonly handler: PlaceOrderHandler) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Place an order',
    description:
      'Prices the lines from the catalog and starts the checkout (reserve stock, charge, confirm). The answer comes at once; ' +
      'follow the order with GET /api/orders/{id} and its checkout with GET /api/orders/{id}/saga.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retry-safe placing: the same key with the same body answers with the same order and writes nothing new; with another body, 422.',
  })
  @ApiAcceptedResponse({ type: PlaceOrderResponse, description: 'The order is placed; its checkout runs in the background.' })
  @ApiBadRequestResponse({
    description: `A field is missing or invalid (no lines or more than ${MAX_ORDER_LINES}, a quantity that is not a whole number from 1 to ${MAX_LINE_QUANTITY}, an unknown sku, lines in different currencies, an unknown field); the message names each one.`,
  })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was already used with another request.' })
  @ApiTooManyRequestsResponse({
    description:
      'The caller already has as many pending orders, or units in pending orders, as a customer may (ORDER_MAX_PENDING_PER_CUSTOMER, ORDER_MAX_PENDING_UNITS_PER_CUSTOMER); ' +
      'the body names the limit (`limit`) and its value (`max`). Nothing is placed; the allowance comes back as pending orders complete.',
  })
  place(
    @Body() body: PlaceOrderRequest,
    @CurrentUser() customer: Principal,
    @CorrelationId() correlationId: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<PlaceOrderResponse> {
    const problem = idempotencyKey === undefined ? undefined : idempotencyKeyProblem(idempotencyKey);
    if (problem) throw new BadRequestException([problem]);
    const { lines, paymentToken } = body;
    const customerId = customer.userId;
    return this.handler.execute(
      { customerId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })), paymentToken, ...(idempotencyKey !== undefined && { idempotencyKey }) },
      requestContext(correlationId, { userId: customerId }),
    );
  }
}

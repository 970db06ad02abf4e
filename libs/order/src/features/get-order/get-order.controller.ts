import type { ServerResponse } from 'node:http';
import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@agora/platform';
import { OrderAccess } from '../order-access.js';
import { DEFAULT_WAIT_MS, GetOrderQuery, MAX_WAIT_MS } from './get-order.request.js';
import { OrderView } from './order.view.js';
import { WaitForOutcomeHandler } from './wait-for-outcome.handler.js';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: "Another customer's order." })
@Controller('orders')
export class GetOrderController {
  constructor(
    private readonly access: OrderAccess,
    private readonly outcome: WaitForOutcomeHandler,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary: 'An order: its lines, total and status (PENDING until its checkout ends)',
    description:
      'With wait=terminal, a long-poll instead of polling: the answer comes as soon as the order is CONFIRMED, REJECTED or CANCELLED, ' +
      `or after timeoutMs (default ${DEFAULT_WAIT_MS}) with the order as it stands, still PENDING; 200 either way. 404 and 403 come at once.`,
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderView })
  @ApiBadRequestResponse({ description: `The id is not a UUID, wait is not terminal, or timeoutMs is not an integer from 0 to ${MAX_WAIT_MS} (or comes without wait).` })
  @ApiNotFoundResponse({ description: 'There is no such order.' })
  get(
    @Param('id', new ParseUUIDPipe()) orderId: string,
    @Query() { wait, timeoutMs }: GetOrderQuery,
    @CurrentUser() principal: Principal,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<OrderView> {
    if (wait === undefined) return this.access.orderFor(principal, orderId);
    // Before the answer, 'close' means the client went away: nobody is left to wait for.
    const gone = new AbortController();
    response.once('close', () => response.writableFinished || gone.abort());
    return this.outcome.execute(principal, orderId, { timeoutMs: timeoutMs ?? DEFAULT_WAIT_MS, signal: gone.signal });
  }
}

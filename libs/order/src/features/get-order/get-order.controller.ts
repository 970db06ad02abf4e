import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@agora/platform';
import { OrderAccess } from '../order-access.js';
import { OrderView } from './order.view.js';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: "Another customer's order." })
@Controller('orders')
export class GetOrderController {
  constructor(private readonly access: OrderAccess) {}

  @Get(':id')
  @ApiOperation({ summary: 'An order: its lines, total and status (PENDING until its checkout ends)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderView })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'There is no such order.' })
  get(@Param('id', new ParseUUIDPipe()) orderId: string, @CurrentUser() principal: Principal): Promise<OrderView> {
    return this.access.orderFor(principal, orderId);
  }
}

import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { GetOrderHandler } from './get-order.handler.js';
import { OrderView } from './order.view.js';

@ApiTags('orders')
@Controller('orders')
export class GetOrderController {
  constructor(private readonly handler: GetOrderHandler) {}

  @Get(':id')
  @ApiOperation({ summary: 'An order: its lines, total and status (PENDING until its checkout ends)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: OrderView })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'There is no such order.' })
  async get(@Param('id', new ParseUUIDPipe()) orderId: string): Promise<OrderView> {
    const order = await this.handler.execute(orderId);
    if (!order) throw new NotFoundException(`There is no order ${orderId}.`);
    return order;
  }
}

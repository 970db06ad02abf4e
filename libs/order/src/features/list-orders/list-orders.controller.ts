import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@agora/platform';
import { ListOrdersHandler } from './list-orders.handler.js';
import { ListOrdersQuery, OrderPage } from './list-orders.request.js';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@Controller('orders')
export class ListOrdersController {
  constructor(private readonly handler: ListOrdersHandler) {}

  @Get()
  @ApiOperation({ summary: "The caller's orders, newest first (an admin's: everyone's), a page at a time, optionally of one status" })
  @ApiOkResponse({ type: OrderPage })
  @ApiBadRequestResponse({ description: '`first` outside 1–100, an unknown status, or a cursor that is not from a previous page.' })
  list(@Query() query: ListOrdersQuery, @CurrentUser() principal: Principal): Promise<OrderPage> {
    return this.handler.execute({
      ...(principal.role !== 'admin' && { customerId: principal.userId }),
      ...(query.status && { status: query.status }),
      first: query.first ?? 20,
      ...(query.after && { after: query.after }),
    });
  }
}

import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@agora/platform';
import { OrderAccess } from '../order-access.js';
import { CheckoutView } from './checkout.view.js';
import { GetCheckoutHandler } from './get-checkout.handler.js';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: "Another customer's order." })
@Controller('orders')
export class GetCheckoutController {
  constructor(
    private readonly handler: GetCheckoutHandler,
    private readonly access: OrderAccess,
  ) {}

  @Get(':id/saga')
  @ApiOperation({ summary: "An order's checkout saga: its steps with timestamps, current step, status, pending deadline and reason" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: CheckoutView })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No checkout for this order (unknown, or placed an instant ago and not yet picked up).' })
  async get(@Param('id', new ParseUUIDPipe()) orderId: string, @CurrentUser() principal: Principal): Promise<CheckoutView> {
    await this.access.orderFor(principal, orderId);
    const checkout = await this.handler.execute(orderId);
    if (!checkout) throw new NotFoundException(`There is no checkout for order ${orderId}.`);
    return checkout;
  }
}

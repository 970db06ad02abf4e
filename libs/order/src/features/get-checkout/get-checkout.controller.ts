import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CheckoutView } from './checkout.view.js';
import { GetCheckoutHandler } from './get-checkout.handler.js';

@ApiTags('orders')
@Controller('orders')
export class GetCheckoutController {
  constructor(private readonly handler: GetCheckoutHandler) {}

  @Get(':id/saga')
  @ApiOperation({ summary: "An order's checkout saga: its steps with timestamps, current step, status, pending deadline and reason" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: CheckoutView })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'No checkout for this order (unknown, or placed an instant ago and not yet picked up).' })
  async get(@Param('id', new ParseUUIDPipe()) orderId: string): Promise<CheckoutView> {
    const checkout = await this.handler.execute(orderId);
    if (!checkout) throw new NotFoundException(`There is no checkout for order ${orderId}.`);
    return checkout;
  }
}

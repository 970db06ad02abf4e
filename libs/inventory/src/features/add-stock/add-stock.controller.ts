import { Body, Controller, HttpCode, HttpStatus, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiUnauthorizedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, Roles } from '@agora/platform';
import { MAX_STOCK_ADDITION } from '../../domain/bounds.js';
import { ProductView } from '../get-product/product.view.js';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { AddStockHandler } from './add-stock.handler.js';
import { AddStockRequest } from './add-stock.request.js';

@ApiTags('inventory')
@ApiBearerAuth()
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: 'Only an admin manages products and stock.' })
@Controller('products')
@UseFilters(InventoryErrorFilter)
export class AddStockController {
  constructor(private readonly handler: AddStockHandler) {}

  @Post(':sku/stock')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Put received units of a product in stock' })
  @ApiParam({ name: 'sku', example: 'TSHIRT-RED-M' })
  @ApiOkResponse({ type: ProductView, description: 'The product with its new stock levels.' })
  @ApiBadRequestResponse({ description: `quantity is not a whole number from 1 to ${MAX_STOCK_ADDITION}.` })
  @ApiNotFoundResponse({ description: 'No product has this sku.' })
  add(@Param('sku') sku: string, @Body() body: AddStockRequest, @CorrelationId() correlationId: string): Promise<ProductView> {
    return this.handler.execute({ sku, quantity: body.quantity }, requestContext(correlationId));
  }
}

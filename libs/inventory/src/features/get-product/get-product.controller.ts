import { Controller, Get, Param, UseFilters } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@agora/platform';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { GetProductHandler } from './get-product.handler.js';
import { ProductView } from './product.view.js';

@ApiTags('inventory')
@Public()
@Controller('products')
@UseFilters(InventoryErrorFilter)
export class GetProductController {
  constructor(private readonly handler: GetProductHandler) {}

  @Get(':sku')
  @ApiOperation({ summary: 'A product with its stock levels' })
  @ApiParam({ name: 'sku', example: 'TSHIRT-RED-M' })
  @ApiOkResponse({ type: ProductView })
  @ApiNotFoundResponse({ description: 'No product has this sku.' })
  get(@Param('sku') sku: string): Promise<ProductView> {
    return this.handler.execute(sku);
  }
}

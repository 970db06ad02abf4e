import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@agora/platform';
import { ListProductsHandler } from './list-products.handler.js';
import { ListProductsQuery, ProductPage } from './list-products.request.js';

@ApiTags('inventory')
@Public()
@Controller('products')
export class ListProductsController {
  constructor(private readonly handler: ListProductsHandler) {}

  @Get()
  @ApiOperation({ summary: 'The catalog with stock levels, by name, a page at a time; search by part of the name' })
  @ApiOkResponse({ type: ProductPage })
  @ApiBadRequestResponse({ description: '`first` outside 1–100, an empty or long search, or a cursor that is not from a previous page.' })
  list(@Query() query: ListProductsQuery): Promise<ProductPage> {
    return this.handler.execute({ ...(query.search && { search: query.search }), first: query.first ?? 20, ...(query.after && { after: query.after }) });
  }
}

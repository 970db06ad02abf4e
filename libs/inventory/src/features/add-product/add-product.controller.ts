import { Body, Controller, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiUnauthorizedResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, Roles } from '@agora/platform';
import { MAX_PRICE_CENTS, MAX_STOCK_ADDITION } from '../../domain/bounds.js';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { AddProductHandler } from './add-product.handler.js';
import { AddProductRequest, AddProductResponse } from './add-product.request.js';

@ApiTags('inventory')
@ApiBearerAuth()
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: 'Only an admin manages products and stock.' })
@Controller('products')
@UseFilters(InventoryErrorFilter)
export class AddProductController {
  constructor(private readonly handler: AddProductHandler) {}

  @Post()
  @ApiOperation({ summary: 'Add a product to the catalog with its initial stock' })
  @ApiCreatedResponse({ type: AddProductResponse })
  @ApiBadRequestResponse({ description: `A field is missing or invalid (a price that is not a whole number from 0 to ${MAX_PRICE_CENTS}, an initial stock not from 0 to ${MAX_STOCK_ADDITION}); the message names each one.` })
  @ApiConflictResponse({ description: 'A product with this sku already exists.' })
  add(@Body() body: AddProductRequest, @CorrelationId() correlationId: string): Promise<AddProductResponse> {
    const { sku, name, priceCents, currency, initialStock } = body;
    return this.handler.execute({ sku, name, priceCents, currency, initialStock }, requestContext(correlationId));
  }
}

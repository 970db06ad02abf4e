import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, Roles } from '@agora/platform';
import { Product } from '../get-product/product.graphql.js';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { AddStockHandler } from './add-stock.handler.js';
import { AddStockArgs } from './add-stock.request.js';

/** POST /api/products/{sku}/stock over GraphQL (admin). */
@Resolver()
@UseFilters(InventoryErrorFilter)
export class AddStockResolver {
  constructor(private readonly addStockHandler: AddStockHandler) {}

  @Roles('admin')
  @Mutation(() => Product)
  addStock(@Args() { sku, quantity }: AddStockArgs, @CorrelationId() correlationId: string): Promise<Product> {
    return this.addStockHandler.execute({ sku, quantity }, requestContext(correlationId));
  }
}

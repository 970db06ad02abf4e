import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, Roles } from '@agora/platform';
import { GetProductHandler } from '../get-product/get-product.handler.js';
import { Product } from '../get-product/product.graphql.js';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { AddProductHandler } from './add-product.handler.js';
import { AddProductRequest } from './add-product.request.js';

/** POST /api/products over GraphQL (admin): answers the product as added. */
@Resolver()
@UseFilters(InventoryErrorFilter)
export class AddProductResolver {
  constructor(
    private readonly addProductHandler: AddProductHandler,
    private readonly getProduct: GetProductHandler,
  ) {}

  @Roles('admin')
  @Mutation(() => Product)
  async addProduct(@Args('input') input: AddProductRequest, @CorrelationId() correlationId: string): Promise<Product> {
    await this.addProductHandler.execute({ ...input }, requestContext(correlationId));
    return this.getProduct.execute(input.sku);
  }
}

import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, Public, Roles } from '@agora/platform';
import { ProductNotFound } from '../domain/errors.js';
import { AddProductHandler } from '../features/add-product/add-product.handler.js';
import { AddProductRequest } from '../features/add-product/add-product.request.js';
import { AddStockHandler } from '../features/add-stock/add-stock.handler.js';
import { AddStockArgs } from '../features/add-stock/add-stock.request.js';
import { GetProductHandler } from '../features/get-product/get-product.handler.js';
import { InventoryErrorFilter } from '../features/inventory-error.filter.js';
import { ListProductsHandler } from '../features/list-products/list-products.handler.js';
import { ListProductsQuery } from '../features/list-products/list-products.request.js';
import { Product, ProductPage } from './product.types.js';

/** The catalog over GraphQL: the inventory context's handlers. */
@Resolver(() => Product)
@UseFilters(InventoryErrorFilter)
export class CatalogResolver {
  constructor(
    private readonly listProducts: ListProductsHandler,
    private readonly getProduct: GetProductHandler,
    private readonly addProductHandler: AddProductHandler,
    private readonly addStockHandler: AddStockHandler,
  ) {}

  @Public()
  @Query(() => ProductPage, { description: 'The catalog by name, a page at a time; search by part of the name.' })
  products(@Args() { search, first, after }: ListProductsQuery): Promise<ProductPage> {
    return this.listProducts.execute({ ...(search && { search }), first: first ?? 20, ...(after && { after }) });
  }

  @Public()
  @Query(() => Product, { nullable: true })
  async product(@Args('sku') sku: string): Promise<Product | null> {
    return this.getProduct.execute(sku).catch((error: unknown) => {
      if (error instanceof ProductNotFound) return null;
      throw error;
    });
  }

  @Roles('admin')
  @Mutation(() => Product)
  async addProduct(@Args('input') input: AddProductRequest, @CorrelationId() correlationId: string): Promise<Product> {
    await this.addProductHandler.execute({ ...input }, requestContext(correlationId));
    return this.getProduct.execute(input.sku);
  }

  @Roles('admin')
  @Mutation(() => Product)
  addStock(@Args() { sku, quantity }: AddStockArgs, @CorrelationId() correlationId: string): Promise<Product> {
    return this.addStockHandler.execute({ sku, quantity }, requestContext(correlationId));
  }
}

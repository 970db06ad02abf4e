import { UseFilters } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import {
  AddProductHandler,
  AddProductRequest,
  AddStockArgs,
  AddStockHandler,
  GetProductHandler,
  InventoryErrorFilter,
  ListProductsHandler,
  ListProductsQuery,
  ProductNotFound,
} from '@agora/inventory';
import { Public, Roles } from '@agora/platform';
import { randomUUID } from 'node:crypto';
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
  async addProduct(@Args('input') input: AddProductRequest): Promise<Product> {
    await this.addProductHandler.execute({ ...input }, requestContext(randomUUID()));
    return this.getProduct.execute(input.sku);
  }

  @Roles('admin')
  @Mutation(() => Product)
  addStock(@Args() { sku, quantity }: AddStockArgs): Promise<Product> {
    return this.addStockHandler.execute({ sku, quantity }, requestContext(randomUUID()));
  }
}

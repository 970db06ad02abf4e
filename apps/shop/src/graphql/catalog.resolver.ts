import { UseFilters } from '@nestjs/common';
import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import {
  AddProductHandler,
  AddProductRequest,
  AddStockHandler,
  GetProductHandler,
  InventoryErrorFilter,
  ListProductsHandler,
  ListProductsQuery,
  ProductNotFound,
} from '@agora/inventory';
import { PageQuery, Public, Roles } from '@agora/platform';
import { Recommendations } from '@agora/recommendation';
import { randomUUID } from 'node:crypto';
import type { Loaders } from './loaders.js';
import { AlsoBought, Product, ProductPage } from './types.js';

/** The catalog over GraphQL: the inventory context's handlers, and the recommendation context's `alsoBought`. */
@Resolver(() => Product)
@UseFilters(InventoryErrorFilter)
export class CatalogResolver {
  constructor(
    private readonly listProducts: ListProductsHandler,
    private readonly getProduct: GetProductHandler,
    private readonly addProductHandler: AddProductHandler,
    private readonly addStockHandler: AddStockHandler,
    private readonly recommendations: Recommendations,
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

  @ResolveField(() => [AlsoBought], { description: 'Products bought in the same orders, most often first.' })
  alsoBought(@Parent() product: Product, @Args() { first }: PageQuery): Promise<AlsoBought[]> {
    return this.recommendations.alsoBought(product.sku, first ?? 10);
  }

  @Roles('admin')
  @Mutation(() => Product)
  async addProduct(@Args('input') input: AddProductRequest): Promise<Product> {
    await this.addProductHandler.execute({ ...input }, requestContext(randomUUID()));
    return this.getProduct.execute(input.sku);
  }

  @Roles('admin')
  @Mutation(() => Product)
  addStock(@Args('sku') sku: string, @Args('quantity', { type: () => Int }) quantity: number): Promise<Product> {
    return this.addStockHandler.execute({ sku, quantity }, requestContext(randomUUID()));
  }
}

/** What a product was bought with, as a product again (batched per request). */
@Resolver(() => AlsoBought)
export class AlsoBoughtResolver {
  @ResolveField(() => Product, { nullable: true })
  async product(@Parent() alsoBought: AlsoBought, @Context('loaders') loaders: Loaders): Promise<Product | null> {
    return (await loaders.product.load(alsoBought.sku)) ?? null;
  }
}

import { UseFilters } from '@nestjs/common';
import { Args, Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Public } from '@agora/platform';
import { Product } from '../get-product/product.graphql.js';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { ListProductsHandler } from './list-products.handler.js';
import { ListProductsQuery } from './list-products.request.js';

@ObjectType()
export class ProductPage {
  @Field(() => [Product]) items!: Product[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last one.' }) nextCursor!: string | null;
}

/** GET /api/products over GraphQL. */
@Resolver()
@UseFilters(InventoryErrorFilter)
export class ListProductsResolver {
  constructor(private readonly listProducts: ListProductsHandler) {}

  @Public()
  @Query(() => ProductPage, { description: 'The catalog by name, a page at a time; search by part of the name.' })
  products(@Args() { search, first, after }: ListProductsQuery): Promise<ProductPage> {
    return this.listProducts.execute({ ...(search && { search }), first: first ?? 20, ...(after && { after }) });
  }
}

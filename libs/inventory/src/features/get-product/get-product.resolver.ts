import { UseFilters } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { Public } from '@agora/platform';
import { ProductNotFound } from '../../domain/errors.js';
import { InventoryErrorFilter } from '../inventory-error.filter.js';
import { GetProductHandler } from './get-product.handler.js';
import { Product } from './product.graphql.js';

/** GET /api/products/{sku} over GraphQL: null for an unknown sku. */
@Resolver()
@UseFilters(InventoryErrorFilter)
export class GetProductResolver {
  constructor(private readonly getProduct: GetProductHandler) {}

  @Public()
  @Query(() => Product, { nullable: true })
  async product(@Args('sku') sku: string): Promise<Product | null> {
    return this.getProduct.execute(sku).catch((error: unknown) => {
      if (error instanceof ProductNotFound) return null;
      throw error;
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProductNotFound } from '../../domain/errors.js';
import { ProductRow } from '../../read-model/product.row.js';
import { ProductView } from './product.view.js';

/** Reads a product from the `inventory.products` read model. */
@Injectable()
export class GetProductHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute(sku: string): Promise<ProductView> {
    const row = await this.readModels.getRepository(ProductRow).findOneBy({ sku });
    if (!row) throw new ProductNotFound(sku);
    return ProductView.of(row);
  }
}

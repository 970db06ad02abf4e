import { Injectable } from '@nestjs/common';
import { decodeCursor, pageOf, type Page } from '@agora/platform';
import { DataSource } from 'typeorm';
import { ProductRow } from '../../read-model/product.row.js';
import { ProductView } from '../get-product/product.view.js';

/** A sku, as products are added with it. */
const SKU = /^[A-Z0-9][A-Z0-9-]{0,63}$/;

export interface ListProducts {
  /** Part of the name, any letter case. */
  readonly search?: string;
  readonly first: number;
  readonly after?: string;
}

/** Products from the read model by name (then sku), a page at a time. */
@Injectable()
export class ListProductsHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute({ search, first, after }: ListProducts): Promise<Page<ProductView>> {
    const query = this.readModels.getRepository(ProductRow).createQueryBuilder('p');
    if (search) query.andWhere(`p.name ILIKE :pattern ESCAPE '\\'`, { pattern: `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    if (after !== undefined) {
      const [name, sku] = decodeCursor(after, ['string', SKU] as const);
      query.andWhere('(lower(p.name), p.sku) > (:name, :sku)', { name, sku });
    }
    const rows = await query.orderBy('lower(p.name)', 'ASC').addOrderBy('p.sku', 'ASC').limit(first + 1).getMany();
    return pageOf(rows, first, (row) => ProductView.of(row), (row) => [row.name.toLowerCase(), row.sku]);
  }
}

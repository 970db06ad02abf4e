import { ProductRow } from '@agora/inventory';
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';

/** Per-request batching: every product a query mentions is read in one statement, however many orders and lines name it. */
export interface Loaders {
  readonly product: DataLoader<string, ProductRow | undefined>;
}

export function createLoaders(readModels: DataSource): Loaders {
  return {
    product: new DataLoader(async (skus) => {
      const rows = await readModels.getRepository(ProductRow).findBy({ sku: In([...skus]) });
      const bySku = new Map(rows.map((row) => [row.sku, row]));
      return skus.map((sku) => bySku.get(sku));
    }),
  };
}

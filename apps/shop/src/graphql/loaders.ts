import { ProductRow } from '@agora/inventory';
import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';

/**
 * Per-request batching: every product a query mentions is read in one statement, however
 * many orders and lines name it. Over the inventory read model: only where it is served.
 */
export interface Loaders {
  readonly product: DataLoader<string, ProductRow | null>;
}

export function createLoaders(readModels: DataSource): Loaders {
  return {
    product: new DataLoader(async (skus) => {
      const rows = await readModels.getRepository(ProductRow).findBy({ sku: In([...skus]) });
      const bySku = new Map(rows.map((row) => [row.sku, row]));
      return skus.map((sku) => bySku.get(sku) ?? null);
    }),
  };
}

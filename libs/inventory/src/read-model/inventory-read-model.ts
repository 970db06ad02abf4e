import type { ReadModel } from '@agora/projections';
import { InventoryReadModel1795700000001, ProductStockBigint1796000000001 } from './inventory-read-model.migration.js';
import { ProductRow } from './product.row.js';
import { INVENTORY_READ_SCHEMA, productsProjection } from './products.projection.js';

/** The inventory context's read side: schema `inventory_read`, filled by `inventory.products`. */
export const inventoryReadModel: ReadModel = {
  schema: INVENTORY_READ_SCHEMA,
  entities: [ProductRow],
  migrations: [InventoryReadModel1795700000001, ProductStockBigint1796000000001],
  projections: [productsProjection],
};

import type { RecordedEvent } from '@agora/event-sourcing';
import { rowProjection } from '@agora/projections';
import { PRODUCT_CATEGORY, type ProductEvent } from '../domain/product.js';
import { ProductRow } from './product.row.js';

export const INVENTORY_READ_SCHEMA = 'inventory_read';

/** Pure: a product's row after one of its events. */
export function evolveProductRow(row: ProductRow | undefined, event: ProductEvent): ProductRow | undefined {
  if (event.type === 'inventory.product-added.v1') {
    const { sku, name, priceCents, currency, initialStock } = event.data;
    return Object.assign(new ProductRow(), { sku, name, priceCents, currency, available: initialStock, reserved: 0, sold: 0 });
  }
  if (!row) return row;
  const { quantity } = event.data;
  switch (event.type) {
    case 'inventory.stock-added.v1':
      return { ...row, available: row.available + quantity };
    case 'inventory.product-stock-reserved.v1':
      return { ...row, available: row.available - quantity, reserved: row.reserved + quantity };
    case 'inventory.product-stock-released.v1':
      return { ...row, available: row.available + quantity, reserved: row.reserved - quantity };
    case 'inventory.product-stock-sold.v1':
      return { ...row, reserved: row.reserved - quantity, sold: row.sold + quantity };
  }
}

export const productsProjection = rowProjection<ProductRow>({
  name: 'inventory.products',
  schema: INVENTORY_READ_SCHEMA,
  categories: [PRODUCT_CATEGORY],
  entity: ProductRow,
  key: 'sku',
  rowPerStream: true,
  keyOf: (event) => (event.data as { sku?: string }).sku,
  evolve: (row, event) => evolveProductRow(row, event as RecordedEvent<ProductEvent>),
});

import { migrate, type SchemaMigrations } from '@agora/platform';
import type pg from 'pg';

/** Order's copy of inventory's catalog (schema `order_catalog`): the prices an order is placed at. */
export const ORDER_CATALOG_MIGRATIONS: SchemaMigrations = {
  schema: 'order_catalog',
  migrations: [
    {
      name: '0001-products',
      up: `
        CREATE SCHEMA IF NOT EXISTS order_catalog;
        CREATE TABLE IF NOT EXISTS order_catalog.products (
          sku         text PRIMARY KEY,
          name        text NOT NULL,
          price_cents bigint NOT NULL CHECK (price_cents >= 0),
          currency    char(3) NOT NULL
        );`,
    },
  ],
};

/** Brings schema `order_catalog` up to date (`ORDER_CATALOG_MIGRATIONS`). */
export async function migrateOrderCatalog(pool: pg.Pool): Promise<void> {
  await migrate(pool, [ORDER_CATALOG_MIGRATIONS]);
}

import { migrateUnderLock } from '@agora/platform';
import type pg from 'pg';

/**
 * Order's copy of inventory's catalog (schema `order_catalog`): the prices an order is
 * placed at. Idempotent; serialised by an advisory lock so hosts may start side by side.
 */
export async function migrateOrderCatalog(pool: pg.Pool): Promise<void> {
  await migrateUnderLock(
    pool,
    'agora.order_catalog',
    `
      CREATE SCHEMA IF NOT EXISTS order_catalog;
      CREATE TABLE IF NOT EXISTS order_catalog.products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        price_cents bigint NOT NULL CHECK (price_cents >= 0),
        currency    char(3) NOT NULL
      );`,
  );
}

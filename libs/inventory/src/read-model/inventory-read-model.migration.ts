import type { Migration } from '@agora/platform';

/** The inventory context's read model: schema `inventory_read`. */
export const InventoryReadModel1795700000001: Migration = {
  name: 'InventoryReadModel1795700000001',
  up: `
      CREATE SCHEMA IF NOT EXISTS inventory_read;
      CREATE TABLE inventory_read.products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        price_cents integer NOT NULL,
        currency    text NOT NULL,
        available   integer NOT NULL,
        reserved    integer NOT NULL,
        sold        integer NOT NULL
      );
      CREATE INDEX products_by_name ON inventory_read.products (lower(name), sku);
    `,
};

/**
 * Stock levels add up over any number of additions, and sold units over every order:
 * `integer` would stop the projection at about 2.1 billion units. The price is bounded
 * (1,000,000.00) but follows, so that every count and amount of the table is one type.
 */
export const ProductStockBigint1796000000001: Migration = {
  name: 'ProductStockBigint1796000000001',
  up: `
      ALTER TABLE inventory_read.products
        ALTER COLUMN price_cents TYPE bigint,
        ALTER COLUMN available TYPE bigint,
        ALTER COLUMN reserved TYPE bigint,
        ALTER COLUMN sold TYPE bigint;
    `,
};

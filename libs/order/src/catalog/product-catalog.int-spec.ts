import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase } from '@agora/testing';
import { migrateOrderCatalog } from './catalog-schema.js';
import { ProductCatalog, type CatalogProduct } from './product-catalog.js';

const mug: CatalogProduct = { sku: 'MUG', name: 'Mug', priceCents: 850, currency: 'EUR' };
const shirt: CatalogProduct = { sku: 'SHIRT', name: 'Shirt', priceCents: 1999, currency: 'EUR' };

describe('ProductCatalog (PostgreSQL)', () => {
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('order_product_catalog') });
    await migrateOrderCatalog(pool);
  });
  afterAll(() => pool.end());

  /** A catalog of its own (as another instance of the app has), and the statements it sends. */
  function instance() {
    const own = new pg.Pool({ connectionString: pool.options.connectionString, max: 2 });
    const queries = jest.spyOn(own, 'query');
    return { catalog: new ProductCatalog(own), queries, end: () => own.end() };
  }

  it('prices from the database once, then from memory; a sku it did not know is looked up again', async () => {
    const [writer, reader] = [instance(), instance()];
    try {
      await writer.catalog.add(mug);
      expect([...(await reader.catalog.find(['MUG', 'SHIRT'])).values()]).toEqual([mug]);
      // Added elsewhere after the first look: found at the next.
      await writer.catalog.add(shirt);
      reader.queries.mockClear();
      expect(await reader.catalog.find(['SHIRT', 'MUG', 'SHIRT'])).toEqual(new Map([['MUG', mug], ['SHIRT', shirt]]));
      expect(reader.queries).toHaveBeenCalledTimes(1);
      reader.queries.mockClear();
      expect(await reader.catalog.find(['MUG', 'SHIRT'])).toEqual(new Map([['MUG', mug], ['SHIRT', shirt]]));
      expect(reader.queries).not.toHaveBeenCalled();
    } finally {
      await writer.end();
      await reader.end();
    }
  });

  it('keeps the first entry of a product: a message delivered again changes nothing', async () => {
    const { catalog, end } = instance();
    try {
      const cup = { sku: 'CUP', name: 'Cup', priceCents: 500, currency: 'EUR' };
      await catalog.add(cup);
      await catalog.add({ ...cup, name: 'Other', priceCents: 1 });
      const { rows } = await pool.query('SELECT name, price_cents::int AS "priceCents" FROM order_catalog.products WHERE sku = $1', ['CUP']);
      expect(rows).toEqual([{ name: 'Cup', priceCents: 500 }]);
    } finally {
      await end();
    }
  });
});

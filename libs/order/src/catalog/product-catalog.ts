import { namedQuery } from '@agora/event-sourcing';
import { LRUCache } from 'lru-cache';
import pg from 'pg';

export interface CatalogProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
}

/** Products kept in memory per process: an entry is a few hundred bytes. */
const MAX_REMEMBERED_PRODUCTS = 10_000;

/**
 * The local copy of inventory's products, kept by `CatalogHandler`, read when an order is
 * placed. A product's entry never changes once written: inventory adds a sku once
 * (`ProductAlreadyExists`) with its name and price, and no message changes them. So the
 * first row stands (a message delivered again writes nothing), and a product found once
 * is remembered in the process instead of read again for every order; a sku not found is
 * looked up again, as it may be added at any time. A message that changed a product
 * would have to end both.
 */
export class ProductCatalog {
  private readonly remembered = new LRUCache<string, CatalogProduct>({ max: MAX_REMEMBERED_PRODUCTS });

  constructor(private readonly pool: pg.Pool) {}

  /** Adds a product; one already in the catalog is left as it is (a redelivered `product-listed` changes nothing). */
  async add(product: CatalogProduct): Promise<void> {
    await this.pool.query(
      `INSERT INTO order_catalog.products (sku, name, price_cents, currency) VALUES ($1, $2, $3, $4) ON CONFLICT (sku) DO NOTHING`,
      [product.sku, product.name, product.priceCents, product.currency],
    );
  }

  /** The products of these skus that the catalog knows, by sku. */
  async find(skus: readonly string[]): Promise<Map<string, CatalogProduct>> {
    const found = new Map<string, CatalogProduct>();
    const unknown: string[] = [];
    for (const sku of new Set(skus)) {
      const product = this.remembered.get(sku);
      if (product) found.set(sku, product);
      else unknown.push(sku);
    }
    if (unknown.length === 0) return found;
    // Prepared once per connection.
    const { rows } = await this.pool.query<{ sku: string; name: string; price_cents: string; currency: string }>(
      namedQuery('SELECT sku, name, price_cents, currency FROM order_catalog.products WHERE sku = ANY($1::text[])', [unknown]),
    );
    for (const row of rows) {
      const product = { sku: row.sku, name: row.name, priceCents: Number(row.price_cents), currency: row.currency };
      this.remembered.set(product.sku, product);
      found.set(product.sku, product);
    }
    return found;
  }
}

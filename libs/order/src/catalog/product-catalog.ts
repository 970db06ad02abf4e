import { namedQuery } from '@agora/event-sourcing';
import pg from 'pg';

export interface CatalogProduct {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
}

/** The local copy of inventory's products, kept by `CatalogHandler`, read when an order is placed. */
export class ProductCatalog {
  constructor(private readonly pool: pg.Pool) {}

  /** Idempotent: a redelivered product leaves the row as it is. */
  async upsert(product: CatalogProduct): Promise<void> {
    await this.pool.query(
      `INSERT INTO order_catalog.products (sku, name, price_cents, currency) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency`,
      [product.sku, product.name, product.priceCents, product.currency],
    );
  }

  /** The products of these skus that the catalog knows, by sku. */
  async find(skus: readonly string[]): Promise<Map<string, CatalogProduct>> {
    // Once per order placed: prepared once per connection.
    const { rows } = await this.pool.query<{ sku: string; name: string; price_cents: string; currency: string }>(
      namedQuery('SELECT sku, name, price_cents, currency FROM order_catalog.products WHERE sku = ANY($1::text[])', [[...new Set(skus)]]),
    );
    return new Map(rows.map((row) => [row.sku, { sku: row.sku, name: row.name, priceCents: Number(row.price_cents), currency: row.currency }]));
  }
}

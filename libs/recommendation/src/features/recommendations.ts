import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AlsoBought {
  readonly sku: string;
  /** Confirmed orders that contained both products. */
  readonly count: number;
}

export interface Recommendation {
  readonly sku: string;
  /** Co-purchases of this product with every product the customer bought, added up. */
  readonly score: number;
}

/**
 * The recommendation queries, one SQL statement each, over the statistics that
 * `RecommendationOrdersHandler` keeps. Ties are broken by sku, byte-wise, so a page is
 * the same on every call and every server.
 */
@Injectable()
export class Recommendations {
  constructor(private readonly readModels: DataSource) {}

  /** Products bought in the same orders as `sku`, most often first; empty for a sku never bought with another. */
  async alsoBought(sku: string, limit: number): Promise<AlsoBought[]> {
    requireLimit(limit);
    // A bigint, which the driver hands over as text.
    const rows: { sku: string; count: string }[] = await this.readModels.query(
      `SELECT other_sku AS sku, count FROM recommendation_read.co_purchases
       WHERE sku = $1
       ORDER BY count DESC, other_sku
       LIMIT $2`,
      [sku, limit],
    );
    return rows.map((row) => ({ sku: row.sku, count: Number(row.count) }));
  }

  /**
   * Products the customer has not bought, scored by how often they were bought together
   * with those the customer has; best first. Empty for a customer who bought nothing yet.
   */
  async recommendedFor(customerId: string, limit: number): Promise<Recommendation[]> {
    requireLimit(limit);
    const rows: { sku: string; score: string }[] = await this.readModels.query(
      `SELECT pair.other_sku AS sku, sum(pair.count) AS score
       FROM recommendation_read.customer_purchases bought
       JOIN recommendation_read.co_purchases pair ON pair.sku = bought.sku
       WHERE bought.customer_id = $1
         AND NOT EXISTS (
           SELECT 1 FROM recommendation_read.customer_purchases owned
           WHERE owned.customer_id = $1 AND owned.sku = pair.other_sku)
       GROUP BY pair.other_sku
       ORDER BY score DESC, pair.other_sku
       LIMIT $2`,
      [customerId, limit],
    );
    // sum() of bigints is a numeric, which the driver hands over as text.
    return rows.map((row) => ({ sku: row.sku, score: Number(row.score) }));
  }
}

function requireLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number of at least 1, got ${limit}.`);
}

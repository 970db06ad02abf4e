import type { Migration } from '@agora/platform';

/**
 * The recommendation context's read model: schema `recommendation_read`. Skus sort
 * byte-wise (`COLLATE "C"`), so "then by sku" means the same on every server, whatever its
 * locale, and the index on (sku, count, other_sku) serves the also-bought query as it is.
 */
export const RecommendationReadModel1795700000002: Migration = {
  name: 'RecommendationReadModel1795700000002',
  up: `
      CREATE SCHEMA IF NOT EXISTS recommendation_read;
      CREATE TABLE recommendation_read.customer_purchases (
        customer_id text NOT NULL,
        sku         text COLLATE "C" NOT NULL,
        quantity    integer NOT NULL,
        orders      integer NOT NULL,
        PRIMARY KEY (customer_id, sku)
      );
      CREATE TABLE recommendation_read.co_purchases (
        sku       text COLLATE "C" NOT NULL,
        other_sku text COLLATE "C" NOT NULL,
        count     integer NOT NULL,
        PRIMARY KEY (sku, other_sku)
      );
      CREATE INDEX co_purchases_by_count ON recommendation_read.co_purchases (sku, count DESC, other_sku);
      CREATE TABLE recommendation_read.handled_messages (
        message_id uuid PRIMARY KEY,
        handled_at timestamptz NOT NULL DEFAULT now()
      );
    `,
};

/**
 * The statistics only grow: units a customer bought add up over every order (up to
 * 10,000 a line), and counts over every confirmed order. `integer` would make the
 * handler fail on a message for ever once one passed about 2.1 billion.
 */
export const RecommendationCountersBigint1796000000002: Migration = {
  name: 'RecommendationCountersBigint1796000000002',
  up: `
      ALTER TABLE recommendation_read.customer_purchases ALTER COLUMN quantity TYPE bigint, ALTER COLUMN orders TYPE bigint;
      ALTER TABLE recommendation_read.co_purchases ALTER COLUMN count TYPE bigint;
    `,
};

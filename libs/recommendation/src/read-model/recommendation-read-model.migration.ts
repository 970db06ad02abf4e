import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recommendation context's read model: schema `recommendation_read`. Skus sort
 * byte-wise (`COLLATE "C"`), so "then by sku" means the same on every server, whatever its
 * locale, and the index on (sku, count, other_sku) serves the also-bought query as it is.
 */
export class RecommendationReadModel1795700000002 implements MigrationInterface {
  name = 'RecommendationReadModel1795700000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS recommendation_read`);
    await queryRunner.query(`
      CREATE TABLE recommendation_read.customer_purchases (
        customer_id text NOT NULL,
        sku         text COLLATE "C" NOT NULL,
        quantity    integer NOT NULL,
        orders      integer NOT NULL,
        PRIMARY KEY (customer_id, sku)
      )`);
    await queryRunner.query(`
      CREATE TABLE recommendation_read.co_purchases (
        sku       text COLLATE "C" NOT NULL,
        other_sku text COLLATE "C" NOT NULL,
        count     integer NOT NULL,
        PRIMARY KEY (sku, other_sku)
      )`);
    await queryRunner.query(`CREATE INDEX co_purchases_by_count ON recommendation_read.co_purchases (sku, count DESC, other_sku)`);
    await queryRunner.query(`
      CREATE TABLE recommendation_read.handled_messages (
        message_id uuid PRIMARY KEY,
        handled_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA recommendation_read CASCADE`);
  }
}

/**
 * The statistics only grow: units a customer bought add up over every order (up to
 * 10,000 a line), and counts over every confirmed order. `integer` would make the
 * handler fail on a message for ever once one passed about 2.1 billion.
 */
export class RecommendationCountersBigint1796000000002 implements MigrationInterface {
  name = 'RecommendationCountersBigint1796000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE recommendation_read.customer_purchases ALTER COLUMN quantity TYPE bigint, ALTER COLUMN orders TYPE bigint`);
    await queryRunner.query(`ALTER TABLE recommendation_read.co_purchases ALTER COLUMN count TYPE bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE recommendation_read.customer_purchases ALTER COLUMN quantity TYPE integer, ALTER COLUMN orders TYPE integer`);
    await queryRunner.query(`ALTER TABLE recommendation_read.co_purchases ALTER COLUMN count TYPE integer`);
  }
}

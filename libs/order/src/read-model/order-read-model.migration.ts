import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The order context's read model: schema `order_read`. */
export class OrderReadModel1795700000000 implements MigrationInterface {
  name = 'OrderReadModel1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS order_read`);
    await queryRunner.query(`
      CREATE TABLE order_read.orders (
        order_id    uuid PRIMARY KEY,
        customer_id text NOT NULL,
        status      text NOT NULL,
        reason      text,
        lines       jsonb NOT NULL,
        total_cents integer NOT NULL,
        currency    text NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX orders_by_customer ON order_read.orders (customer_id, created_at, order_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA order_read CASCADE`);
  }
}

/** The checkout saga's view beside the orders. */
export class OrderCheckouts1795700000005 implements MigrationInterface {
  name = 'OrderCheckouts1795700000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE order_read.checkouts (
        order_id     uuid PRIMARY KEY,
        status       text NOT NULL,
        current_step text NOT NULL,
        reason       text,
        deadline     jsonb,
        steps        jsonb NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE order_read.checkouts`);
  }
}

/**
 * An order's total reaches 10^14 cents (100 lines of 10,000 units at 1,000,000.00), past
 * `integer`: the projection could not write such an order and stopped at it.
 */
export class OrderTotalsBigint1796000000000 implements MigrationInterface {
  name = 'OrderTotalsBigint1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE order_read.orders ALTER COLUMN total_cents TYPE bigint`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE order_read.orders ALTER COLUMN total_cents TYPE integer`);
  }
}

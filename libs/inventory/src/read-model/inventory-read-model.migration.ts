import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The inventory context's read model: schema `inventory_read`. */
export class InventoryReadModel1795700000001 implements MigrationInterface {
  name = 'InventoryReadModel1795700000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS inventory_read`);
    await queryRunner.query(`
      CREATE TABLE inventory_read.products (
        sku         text PRIMARY KEY,
        name        text NOT NULL,
        price_cents integer NOT NULL,
        currency    text NOT NULL,
        available   integer NOT NULL,
        reserved    integer NOT NULL,
        sold        integer NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX products_by_name ON inventory_read.products (lower(name), sku)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA inventory_read CASCADE`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projections' own checkpoints, beside the read models they describe (schema
 * `projections`): the read side needs nothing from the write side's database.
 */
export class ProjectionCheckpoints1795600000000 implements MigrationInterface {
  name = 'ProjectionCheckpoints1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SCHEMA IF NOT EXISTS projections');
    await queryRunner.query(`
      CREATE TABLE projections.checkpoints (
        name             text PRIMARY KEY,
        commit_position  bigint NOT NULL,
        prepare_position bigint NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SCHEMA projections CASCADE');
  }
}

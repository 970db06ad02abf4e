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

/**
 * Every subscriber of the log now keeps its checkpoint in one table, `messaging.checkpoints`
 * (created by `migrateMessaging`, which `openReadModels` runs first): the projections'
 * checkpoints move there, as they are.
 */
export class MoveProjectionCheckpoints1795800000000 implements MigrationInterface {
  name = 'MoveProjectionCheckpoints1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO messaging.checkpoints (name, commit_position, prepare_position, updated_at)
      SELECT name, commit_position, prepare_position, updated_at FROM projections.checkpoints
      ON CONFLICT (name) DO NOTHING`);
    await queryRunner.query('DROP SCHEMA projections CASCADE');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await new ProjectionCheckpoints1795600000000().up(queryRunner);
    await queryRunner.query(`
      INSERT INTO projections.checkpoints (name, commit_position, prepare_position, updated_at)
      SELECT name, commit_position, prepare_position, updated_at FROM messaging.checkpoints`);
  }
}

import type { Migration } from '@agora/platform';

/**
 * The projections' own checkpoints, beside the read models they describe (schema
 * `projections`): the read side needs nothing from the write side's database.
 */
export const ProjectionCheckpoints1795600000000: Migration = {
  name: 'ProjectionCheckpoints1795600000000',
  up: `
      CREATE SCHEMA IF NOT EXISTS projections;
      CREATE TABLE projections.checkpoints (
        name             text PRIMARY KEY,
        commit_position  bigint NOT NULL,
        prepare_position bigint NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      );
    `,
};

/**
 * Every subscriber of the log now keeps its checkpoint in one table, `messaging.checkpoints`
 * (created by `migrateMessaging`, which `openReadModels` runs first): the projections'
 * checkpoints move there, as they are.
 */
export const MoveProjectionCheckpoints1795800000000: Migration = {
  name: 'MoveProjectionCheckpoints1795800000000',
  up: `
      INSERT INTO messaging.checkpoints (name, commit_position, prepare_position, updated_at)
      SELECT name, commit_position, prepare_position, updated_at FROM projections.checkpoints
      ON CONFLICT (name) DO NOTHING;
      DROP SCHEMA projections CASCADE;
    `,
};

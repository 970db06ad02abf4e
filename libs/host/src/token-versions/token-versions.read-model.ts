import type { ReadModel } from '@agora/projections';
import type { Migration } from '@agora/platform';

export const TOKEN_VERSIONS_SCHEMA = 'token_versions';

/**
 * The latest token version the app has heard of for each user whose version ever moved
 * on: table `user_token_versions` in schema `token_versions`. A user without a row still
 * has the initial version. `changed_at` is when the user context recorded the change.
 */
export const TokenVersions1796200000000: Migration = {
  name: 'TokenVersions1796200000000',
  up: `
      CREATE SCHEMA IF NOT EXISTS ${TOKEN_VERSIONS_SCHEMA};
      CREATE TABLE ${TOKEN_VERSIONS_SCHEMA}.user_token_versions (
        user_id       uuid PRIMARY KEY,
        token_version integer NOT NULL CHECK (token_version > 0),
        changed_at    timestamptz NOT NULL
      );
    `,
};

/**
 * The token versions of an app without the user context, beside its own read models. No
 * projection fills it: `TokenVersionsHandler` does, from user's integration messages;
 * a version that only grows needs no inbox.
 */
export const tokenVersionsReadModel: ReadModel = {
  schema: TOKEN_VERSIONS_SCHEMA,
  entities: [],
  migrations: [TokenVersions1796200000000],
  projections: [],
};

import type { Migration } from '@agora/platform';

/** The user context's read model: schema `user_read`. */
export const UserReadModel1795700000003: Migration = {
  name: 'UserReadModel1795700000003',
  up: `
      CREATE SCHEMA IF NOT EXISTS user_read;
      -- The email constraint is checked at commit, not per row: a batch's rows are upserted
      -- in one statement, in the order the batch first touched them, so a user who takes an
      -- address that another gives up later in the same batch comes first. The event store's
      -- claims keep addresses unique at every point of the log, hence at every commit.
      CREATE TABLE user_read.users (
        user_id       uuid PRIMARY KEY,
        email         text NOT NULL,
        name          text NOT NULL,
        role          text NOT NULL,
        password_hash text NOT NULL,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        CONSTRAINT users_email_key UNIQUE (email) DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT users_email_lower_case CHECK (email = lower(email))
      );
    `,
};

/** The token version of each user (0 for a user who never changed a password or signed out). */
export const UserTokenVersion1796100000000: Migration = {
  name: 'UserTokenVersion1796100000000',
  up: 'ALTER TABLE user_read.users ADD COLUMN token_version integer NOT NULL DEFAULT 0',
};

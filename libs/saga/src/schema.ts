import { migrate, type SchemaMigrations } from '@agora/platform';
import type pg from 'pg';

/**
 * Tables of the saga runtime (schema `saga`): pending deadlines. The checkpoint of their
 * projection lives with the others in `messaging.checkpoints` (run `migrateMessaging` too).
 */
export const SAGA_MIGRATIONS: SchemaMigrations = {
  schema: 'saga',
  migrations: [
    {
      name: '0001-deadlines',
      up: `
        CREATE SCHEMA IF NOT EXISTS saga;
        CREATE TABLE IF NOT EXISTS saga.deadlines (
          saga_stream    text PRIMARY KEY,
          deadline_id    text NOT NULL,
          name           text NOT NULL,
          due_at         timestamptz NOT NULL,
          correlation_id text NOT NULL
        );
        CREATE INDEX IF NOT EXISTS deadlines_by_due_at ON saga.deadlines (due_at);`,
    },
  ],
};

/** Brings schema `saga` up to date (`SAGA_MIGRATIONS`). */
export async function migrateSagas(pool: pg.Pool): Promise<void> {
  await migrate(pool, [SAGA_MIGRATIONS]);
}

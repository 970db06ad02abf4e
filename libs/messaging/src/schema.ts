import { migrateUnderLock } from '@agora/platform';
import type pg from 'pg';

/**
 * Tables of the messaging runtime (schema `messaging`): the one checkpoint table of every
 * subscriber of the log (relays, projections, the saga's feed and deadlines, the payment
 * processor), the events they parked, and dead letters. Idempotent; serialised by an
 * advisory lock so hosts may start side by side. Run it before the read models' own
 * migrations, which move their older checkpoints in here.
 */
export async function migrateMessaging(pool: pg.Pool): Promise<void> {
  await migrateUnderLock(
    pool,
    'agora.messaging',
    `
      CREATE SCHEMA IF NOT EXISTS messaging;
      CREATE TABLE IF NOT EXISTS messaging.checkpoints (
        name             text PRIMARY KEY,
        commit_position  bigint NOT NULL,
        prepare_position bigint NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS messaging.parked_events (
        subscriber       text NOT NULL,
        commit_position  bigint NOT NULL,
        prepare_position bigint NOT NULL,
        stream_name      text NOT NULL,
        stream_revision  bigint NOT NULL,
        event_type       text NOT NULL,
        event            jsonb NOT NULL,
        error            text NOT NULL,
        attempts         integer NOT NULL,
        parked_at        timestamptz NOT NULL DEFAULT now(),
        retry_requested_at timestamptz,
        PRIMARY KEY (subscriber, commit_position, prepare_position)
      );
      CREATE TABLE IF NOT EXISTS messaging.dead_letters (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer     text NOT NULL,
        message_id   text,
        message_type text NOT NULL,
        message_key  text NOT NULL,
        message      jsonb NOT NULL,
        error        text NOT NULL,
        attempts     integer NOT NULL,
        failed_at    timestamptz NOT NULL DEFAULT now()
      );`,
  );
}

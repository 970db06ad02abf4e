import { migrate, type SchemaMigrations } from '@agora/platform';
import type pg from 'pg';

/**
 * Tables of the messaging runtime (schema `messaging`): the one checkpoint table of every
 * subscriber of the log (relays, projections, the saga's feed and deadlines, the payment
 * processor), the events they parked, and dead letters. Run before the read models'
 * migrations, which move their older checkpoints in here. (Its first migration creates
 * what earlier versions created without one, so it also runs on their databases.)
 */
export const MESSAGING_MIGRATIONS: SchemaMigrations = {
  schema: 'messaging',
  migrations: [
    {
      name: '0001-checkpoints-parked-events-dead-letters',
      up: `
        CREATE SCHEMA IF NOT EXISTS messaging;
        CREATE TABLE IF NOT EXISTS messaging.checkpoints (
          name             text PRIMARY KEY,
          commit_position  bigint NOT NULL,
          prepare_position bigint NOT NULL,
          updated_at       timestamptz NOT NULL DEFAULT now()
        );
        -- Whose positions the checkpoints are: the one event store of this database's hosts.
        CREATE TABLE IF NOT EXISTS messaging.checkpoints_event_store (
          single     boolean PRIMARY KEY DEFAULT true CHECK (single),
          event_store text NOT NULL,
          claimed_at timestamptz NOT NULL DEFAULT now()
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
    },
    {
      // Dead letters copied from Kafka's .dlq topics name their record (one copy each, also
      // when the record is read again), and a replayed letter is kept, marked, not deleted:
      // the copy read again after a crash is then recognised, not listed a second time.
      name: '0002-dead-letters-sources-and-replays',
      up: `
        ALTER TABLE messaging.dead_letters ADD COLUMN source text, ADD COLUMN replayed_at timestamptz;
        CREATE UNIQUE INDEX dead_letters_by_source ON messaging.dead_letters (source) WHERE source IS NOT NULL;`,
    },
  ],
};

/** Brings schema `messaging` up to date (`MESSAGING_MIGRATIONS`). */
export async function migrateMessaging(pool: pg.Pool): Promise<void> {
  await migrate(pool, [MESSAGING_MIGRATIONS]);
}

/**
 * Records, on first use, which event store the positions in `messaging.checkpoints`
 * belong to (`EVENT_STORE`: `postgres`, `esdb`), and refuses to start with another: a
 * PostgreSQL position read as an EventStoreDB log position (or the reverse) would make
 * every subscriber skip or repeat events. Once per start, before any subscriber reads a
 * checkpoint; the checkpoint statements themselves are unchanged. Checkpoints written
 * before this record existed are taken to belong to the store the first host starts with.
 */
export async function claimCheckpointsForEventStore(pool: pg.Pool, eventStore: string): Promise<void> {
  const { rows } = await pool.query<{ event_store: string }>(
    `WITH claimed AS (
       INSERT INTO messaging.checkpoints_event_store (event_store) VALUES ($1) ON CONFLICT (single) DO NOTHING RETURNING event_store
     )
     SELECT event_store FROM claimed UNION ALL SELECT event_store FROM messaging.checkpoints_event_store`,
    [eventStore],
  );
  // A claim that waited on another host's: the statement's snapshot predates that row; a new statement sees it.
  const claimed =
    rows[0]?.event_store ?? (await pool.query<{ event_store: string }>('SELECT event_store FROM messaging.checkpoints_event_store')).rows[0]!.event_store;
  if (claimed !== eventStore) {
    throw new Error(
      `EVENT_STORE is ${eventStore}, but the checkpoints in this database (messaging.checkpoints) are positions in the ${claimed} event store. ` +
        `Set EVENT_STORE=${claimed}, or use a fresh database for ${eventStore}.`,
    );
  }
}

import { migrate, type SchemaMigrations } from '@agora/platform';
import pg from 'pg';

/**
 * The event store's tables, versioned: each entry runs once, in order, through the one
 * migration runner (`migrate`, `platform.migrations`). `{schema}` is replaced by the
 * quoted schema name. Never edit a released entry: add a new one.
 *
 * Ordering of the global log (docs/adr/0002, 0019): an event's position is the pair
 * (transaction_id, global_position), and appending transactions take their ids under a
 * lock held until they commit, so a transaction that commits late can never appear
 * behind a position a subscriber has already passed.
 */
const MIGRATIONS: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: '0001-events',
    sql: `
      CREATE TABLE {schema}.events (
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        global_position bigint      GENERATED ALWAYS AS IDENTITY,
        stream_name     text        COLLATE "C" NOT NULL,
        stream_revision bigint      NOT NULL,
        category        text        COLLATE "C" NOT NULL,
        event_id        uuid        NOT NULL,
        event_type      text        NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (transaction_id, global_position),
        UNIQUE (stream_name, stream_revision)
      );

      CREATE INDEX events_by_category ON {schema}.events (category, transaction_id, global_position);
    `,
  },
  {
    // A cache of folded stream states (docs/adr/0011): deleting rows only costs speed.
    name: '0002-snapshots',
    sql: `
      CREATE TABLE {schema}.snapshots (
        stream_name text        COLLATE "C" PRIMARY KEY,
        revision    bigint      NOT NULL,
        version     integer     NOT NULL,
        state       jsonb       NOT NULL,
        taken_at    timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // Appends in commit order (docs/adr/0019): every statement that inserts events first
    // takes this table's append lock, held until its commit, and only then gets its
    // transaction id. Appenders' ids then rise in the order they commit, so every committed
    // event can be read at once: none can commit later behind it. A transaction that has
    // written anything before its events would hold an id from before the lock: refused.
    name: '0003-appends-in-commit-order',
    sql: `
      CREATE FUNCTION {schema}.take_append_lock() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'Events are appended in a transaction of their own: this one wrote before it appended.'
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('agora.event-store.appends'), TG_RELID::integer);
        RETURN NULL;
      END $$;

      CREATE TRIGGER appends_in_commit_order BEFORE INSERT ON {schema}.events
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.take_append_lock();
    `,
  },
  {
    // The log's last event as of taking the append lock, for the appending statement to
    // return (setting agora.log_head: 'transaction_id/global_position', '0/0' for an
    // empty log). Every earlier appender has committed by then, and this query, unlike the
    // INSERT around it, takes a snapshot of its own, so it sees them: the appended events
    // come right after this position in the log, and a subscriber that is there can take
    // them from the writer without reading them back (docs/adr/0019).
    name: '0004-log-head-at-append',
    sql: `
      CREATE OR REPLACE FUNCTION {schema}.take_append_lock() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION 'Events are appended in a transaction of their own: this one wrote before it appended.'
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('agora.event-store.appends'), TG_RELID::integer);
        PERFORM set_config('agora.log_head', coalesce(
          (SELECT transaction_id::text || '/' || global_position FROM {schema}.events
           ORDER BY transaction_id DESC, global_position DESC LIMIT 1), '0/0'), true);
        RETURN NULL;
      END $$;
    `,
  },
  {
    // Every event of one story, whatever its stream (`readByCorrelation`, the operations
    // console's view of a correlation id; docs/adr/0032). On a large log this build holds
    // appends back until it ends: build it beforehand with CREATE INDEX CONCURRENTLY and
    // this name, and the migration finds it there.
    name: '0005-events-by-correlation',
    sql: `
      CREATE INDEX IF NOT EXISTS events_by_correlation ON {schema}.events ((metadata ->> 'correlationId'));
    `,
  },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export function quotedSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`Event store schema "${schema}" must be a lower-case SQL identifier (letters, digits, underscores).`);
  }
  return pg.escapeIdentifier(schema);
}

/**
 * The event store's migrations in `schema`, for the one runner (`migrate`). A database
 * whose event store recorded its migrations in its own table (`<schema>.migrations`, as
 * before the runner existed) has them taken as applied.
 */
export function eventStoreMigrations(schema: string): SchemaMigrations {
  const quoted = quotedSchema(schema);
  return {
    schema,
    migrations: [
      { name: '0000-schema', up: `CREATE SCHEMA IF NOT EXISTS ${quoted}` },
      ...MIGRATIONS.map((migration) => ({ name: migration.name, up: migration.sql.replaceAll('{schema}', quoted) })),
    ],
    adopt: async (client) => {
      const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [`${quoted}.migrations`]);
      if (rows[0]?.found == null) return [];
      return (await client.query<{ name: string }>(`SELECT name FROM ${quoted}.migrations`)).rows.map((row) => row.name);
    },
  };
}

/** Brings the event store's schema up to date; safe to run from several processes at once. */
export async function migrateEventStore(pool: pg.Pool, schema: string): Promise<void> {
  await migrate(pool, [eventStoreMigrations(schema)]);
}

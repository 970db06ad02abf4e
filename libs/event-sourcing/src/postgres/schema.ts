import pg from 'pg';

/**
 * The event store's tables, versioned. Each entry runs once, in order, inside one
 * transaction that holds an advisory lock, so that hosts starting side by side do not
 * race. `{schema}` is replaced by the quoted schema name. Never edit a released entry:
 * add a new one.
 *
 * Ordering of the global log (docs/adr/0002): an event's position is the pair
 * (transaction_id, global_position). Readers only see events of transactions older than
 * the oldest one still running, so a transaction that commits late can never appear
 * behind a position a subscriber has already passed.
 */
const MIGRATIONS: readonly { readonly name: string; readonly sql: string }[] = [
  {
    name: '0001-streams-and-events',
    sql: `
      CREATE TABLE {schema}.streams (
        stream_name text PRIMARY KEY,
        category    text   NOT NULL,
        revision    bigint NOT NULL
      );

      CREATE TABLE {schema}.events (
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        global_position bigint      GENERATED ALWAYS AS IDENTITY,
        stream_name     text        NOT NULL,
        stream_revision bigint      NOT NULL,
        category        text        NOT NULL,
        event_id        uuid        NOT NULL,
        event_type      text        NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (transaction_id, global_position),
        UNIQUE (stream_name, stream_revision)
      );

      CREATE INDEX events_by_category ON {schema}.events (category, transaction_id, global_position);

      -- Appends in one round trip. p_expected: >= 0 a revision, -1 no stream, -2 any,
      -- -3 stream exists. A refused append returns appended = false and the stream's
      -- actual revision (-1: no stream) instead of raising, so the caller gets both.
      CREATE FUNCTION {schema}.append_to_stream(p_stream text, p_category text, p_expected bigint, p_events jsonb)
      RETURNS TABLE (appended boolean, revision bigint, transaction_id xid8, global_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count   bigint := jsonb_array_length(p_events);
        v_current bigint;
        v_last    bigint;
      BEGIN
        IF v_count = 0 THEN
          SELECT s.revision INTO v_current FROM {schema}.streams s WHERE s.stream_name = p_stream;
          v_current := coalesce(v_current, -1);
          RETURN QUERY SELECT (p_expected = -2 OR p_expected = v_current OR (p_expected = -3 AND v_current >= 0)),
                              v_current, NULL::xid8, NULL::bigint;
          RETURN;
        END IF;

        IF p_expected = -1 THEN
          INSERT INTO {schema}.streams (stream_name, category, revision)
          VALUES (p_stream, p_category, v_count - 1)
          ON CONFLICT (stream_name) DO NOTHING;
          IF FOUND THEN
            v_current := -1;
          END IF;
        ELSIF p_expected = -2 THEN
          INSERT INTO {schema}.streams AS s (stream_name, category, revision)
          VALUES (p_stream, p_category, v_count - 1)
          ON CONFLICT (stream_name) DO UPDATE SET revision = s.revision + v_count
          RETURNING s.revision - v_count INTO v_current;
        ELSIF p_expected = -3 THEN
          UPDATE {schema}.streams s SET revision = s.revision + v_count
          WHERE s.stream_name = p_stream
          RETURNING s.revision - v_count INTO v_current;
        ELSE
          UPDATE {schema}.streams s SET revision = s.revision + v_count
          WHERE s.stream_name = p_stream AND s.revision = p_expected
          RETURNING s.revision - v_count INTO v_current;
        END IF;

        IF v_current IS NULL THEN
          SELECT s.revision INTO v_current FROM {schema}.streams s WHERE s.stream_name = p_stream;
          RETURN QUERY SELECT false, coalesce(v_current, -1), NULL::xid8, NULL::bigint;
          RETURN;
        END IF;

        WITH inserted AS (
          INSERT INTO {schema}.events (stream_name, stream_revision, category, event_id, event_type, data, metadata)
          SELECT p_stream, v_current + e.n, p_category, (e.value ->> 'id')::uuid, e.value ->> 'type', e.value -> 'data', e.value -> 'metadata'
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(value, n)
          ORDER BY e.n
          RETURNING events.global_position
        )
        SELECT max(inserted.global_position) INTO v_last FROM inserted;

        RETURN QUERY SELECT true, v_current + v_count, pg_current_xact_id(), v_last;
      END
      $fn$;
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

/** Brings the event store's schema up to date; safe to run from several processes at once. */
export async function migrateEventStore(pool: pg.Pool, schema: string): Promise<void> {
  const quoted = quotedSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`agora.event-store.${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${quoted}.migrations`);
    const applied = new Set(rows.map((row) => row.name));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.name)) continue;
      await client.query(migration.sql.replaceAll('{schema}', quoted));
      await client.query(`INSERT INTO ${quoted}.migrations (name) VALUES ($1)`, [migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

import type pg from 'pg';

/** One versioned step of a schema: run once, in its set's order. Never edit one that was released: add the next. */
export interface Migration {
  /** Its version and what it does, e.g. `0001-events`: recorded under this name. */
  readonly name: string;
  /** The SQL it runs, or what it does with the transaction's connection. */
  readonly up: string | ((client: pg.ClientBase) => Promise<unknown>);
}

/** The migrations of one PostgreSQL schema, in order, recorded under the schema's name. */
export interface SchemaMigrations {
  readonly schema: string;
  readonly migrations: readonly Migration[];
  /**
   * The names of its migrations that an earlier bookkeeping recorded (the event store's
   * own table, TypeORM's), taken as applied the first time the runner meets the schema.
   */
  readonly adopt?: (client: pg.ClientBase) => Promise<readonly string[]>;
}

/** Where every schema's applied migrations are recorded: one row per migration. */
export const MIGRATIONS_TABLE = 'platform.migrations';

const LOCK = 'agora.migrations';

/**
 * Brings schemas up to date, in the order given: each migration not yet recorded runs in
 * a transaction of its own, with its record in `platform.migrations` (so a failure keeps
 * what was done before it and records nothing of itself). One advisory lock for all:
 * processes that start side by side take turns, and the later ones find the work done.
 * Resolves to what it applied, as `<schema>/<name>`.
 */
export async function migrate(pool: pg.Pool, sets: readonly SchemaMigrations[]): Promise<string[]> {
  for (const set of sets) refuseRepeated(set);
  const client = await pool.connect();
  const applied: string[] = [];
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK]);
    try {
      await client.query(
        `CREATE SCHEMA IF NOT EXISTS platform;
         CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
           schema_name text NOT NULL,
           name        text NOT NULL,
           applied_at  timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (schema_name, name)
         )`,
      );
      for (const set of sets) applied.push(...(await migrateSchema(client, set)));
    } finally {
      // A connection that broke took its lock with it: its error is the one to report.
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK]).catch((error: Error) => (broken = error));
    }
  } finally {
    client.release(broken);
  }
  return applied;
}

async function migrateSchema(client: pg.PoolClient, set: SchemaMigrations): Promise<string[]> {
  const recorded = async () =>
    new Set((await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} WHERE schema_name = $1`, [set.schema])).rows.map((row) => row.name));
  let done = await recorded();
  if (done.size === 0 && set.adopt) {
    const known = new Set(set.migrations.map((migration) => migration.name));
    const adopted = (await set.adopt(client)).filter((name) => known.has(name));
    if (adopted.length > 0) {
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (schema_name, name) SELECT $1, unnest($2::text[])`, [set.schema, adopted]);
      done = await recorded();
    }
  }
  const applied: string[] = [];
  for (const migration of set.migrations) {
    if (done.has(migration.name)) continue;
    try {
      await client.query('BEGIN');
      if (typeof migration.up === 'string') await client.query(migration.up);
      else await migration.up(client);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (schema_name, name) VALUES ($1, $2)`, [set.schema, migration.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`Migration ${set.schema}/${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    applied.push(`${set.schema}/${migration.name}`);
  }
  return applied;
}

/** A name twice in one schema would be recorded once and run once: refused. */
function refuseRepeated({ schema, migrations }: SchemaMigrations): void {
  const seen = new Set<string>();
  for (const { name } of migrations) {
    if (seen.has(name)) throw new Error(`The migrations of ${schema} name ${name} twice.`);
    seen.add(name);
  }
}

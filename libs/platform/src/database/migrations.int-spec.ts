import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase } from '../../../testing/src/postgres.js';
import { migrate, type Migration, type SchemaMigrations } from './migrations.js';

// A schema of notes as it grows: what one version released, then the next.
const createNotes: Migration = { name: '0001-notes', up: 'CREATE SCHEMA notes; CREATE TABLE notes.notes (id integer PRIMARY KEY, text text NOT NULL)' };
const addPinned: Migration = { name: '0002-pinned', up: 'ALTER TABLE notes.notes ADD COLUMN pinned boolean NOT NULL DEFAULT false' };
const released: SchemaMigrations = { schema: 'notes', migrations: [createNotes] };
const next: SchemaMigrations = { schema: 'notes', migrations: [createNotes, addPinned] };

describe('migrate: one runner, one lock, one table', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('migrations'), max: 6 });
  });
  afterAll(() => pool.end());

  const recorded = async (schema: string) =>
    (await pool.query<{ name: string }>('SELECT name FROM platform.migrations WHERE schema_name = $1 ORDER BY applied_at, name', [schema])).rows.map((row) => row.name);
  const columns = async (schema: string, table: string) =>
    (await pool.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, table])).rows.map(
      (row) => row.column_name,
    );

  it('adds a column through a new migration to a table a database of the previous version holds, keeping its rows', async () => {
    expect(await migrate(pool, [released])).toEqual(['notes/0001-notes']);
    await pool.query("INSERT INTO notes.notes (id, text) VALUES (1, 'written before the column existed')");
    const before = (await pool.query<{ applied_at: Date }>("SELECT applied_at FROM platform.migrations WHERE schema_name = 'notes'")).rows[0]!.applied_at;

    expect(await migrate(pool, [next])).toEqual(['notes/0002-pinned']);
    expect(await columns('notes', 'notes')).toEqual(['id', 'text', 'pinned']);
    expect((await pool.query('SELECT id, text, pinned FROM notes.notes')).rows).toEqual([{ id: 1, text: 'written before the column existed', pinned: false }]);
    expect(await recorded('notes')).toEqual(['0001-notes', '0002-pinned']);
    // The first ran once: its record is the one from the first start.
    expect((await pool.query<{ applied_at: Date }>("SELECT applied_at FROM platform.migrations WHERE schema_name = 'notes' AND name = '0001-notes'")).rows[0]!.applied_at).toEqual(before);
    // A start with nothing new does nothing.
    expect(await migrate(pool, [next])).toEqual([]);
  });

  it('runs each migration once when processes start side by side', async () => {
    const counted: SchemaMigrations = {
      schema: 'counted',
      migrations: [
        { name: '0001-runs', up: 'CREATE SCHEMA counted; CREATE TABLE counted.runs (n integer NOT NULL)' },
        { name: '0002-first-run', up: async (client) => client.query('INSERT INTO counted.runs (n) VALUES (1)') },
      ],
    };
    const runs = await Promise.all([1, 2, 3, 4].map(() => migrate(pool, [counted])));
    expect(runs.flat().sort()).toEqual(['counted/0001-runs', 'counted/0002-first-run']);
    expect((await pool.query('SELECT n FROM counted.runs')).rows).toEqual([{ n: 1 }]);
  });

  it('keeps what ran before a failing migration, records nothing of it, and names it', async () => {
    const broken: SchemaMigrations = {
      schema: 'broken',
      migrations: [
        { name: '0001-table', up: 'CREATE SCHEMA broken; CREATE TABLE broken.items (id integer PRIMARY KEY)' },
        { name: '0002-half', up: 'ALTER TABLE broken.items ADD COLUMN label text; ALTER TABLE broken.items ADD COLUMN id integer' },
      ],
    };
    await expect(migrate(pool, [broken])).rejects.toThrow(/^Migration broken\/0002-half failed: .*"id"/);
    expect(await recorded('broken')).toEqual(['0001-table']);
    // Its first statement went with it.
    expect(await columns('broken', 'items')).toEqual(['id']);
  });

  it('takes as applied what an earlier bookkeeping of the schema recorded, the first time it meets it', async () => {
    await pool.query("CREATE SCHEMA legacy; CREATE TABLE legacy.items (id integer); CREATE TABLE legacy.done (name text); INSERT INTO legacy.done VALUES ('0001-items'), ('retired-step')");
    const legacy: SchemaMigrations = {
      schema: 'legacy',
      migrations: [
        { name: '0001-items', up: 'CREATE TABLE legacy.items (id integer)' },
        { name: '0002-label', up: 'ALTER TABLE legacy.items ADD COLUMN label text' },
      ],
      adopt: async (client) => (await client.query<{ name: string }>('SELECT name FROM legacy.done')).rows.map((row) => row.name),
    };
    expect(await migrate(pool, [legacy])).toEqual(['legacy/0002-label']);
    // Only the names it knows, once.
    expect(await recorded('legacy')).toEqual(['0001-items', '0002-label']);
  });

  it('refuses a schema that names a migration twice, before running anything', async () => {
    await expect(migrate(pool, [{ schema: 'twice', migrations: [createNotes, { ...addPinned, name: '0001-notes' }] }])).rejects.toThrow('The migrations of twice name 0001-notes twice.');
    expect(await recorded('twice')).toEqual([]);
  });
});

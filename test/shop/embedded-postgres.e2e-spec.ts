import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedServerFolder, freePort, HostProcess, isListening, stopServerHolding } from '@agora/testing';

/**
 * `npm start` with nothing configured: the host runs its own PostgreSQL, keeps its data
 * between runs, stops it on Ctrl-C and recovers it after a crash.
 */
describe('the shop host on embedded PostgreSQL', () => {
  let dir: string;
  let dataDir: string;
  let postgresPort: number;
  let host: HostProcess | undefined;

  const start = async () =>
    HostProcess.start({
      port: await freePort(),
      env: { DATABASE_URL: undefined, EMBEDDED_POSTGRES_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(postgresPort) },
    });
  // The password of the server's superuser, made with its data directory and kept beside it.
  const password = async () => (await readFile(`${dataDir}.password`, 'utf8')).trim();
  const agora = async () => `postgres://postgres:${await password()}@127.0.0.1:${postgresPort}/agora`;

  beforeAll(async () => {
    ({ dir, dataDir } = await embeddedServerFolder('agora-shop-e2e-'));
    postgresPort = await freePort();
  });

  afterAll(async () => {
    await host?.stop('SIGINT');
    await stopServerHolding(dataDir);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('starts its own server and reports healthy', async () => {
    host = await start();
    const response = await fetch(`${host.url}/health`);
    expect(await response.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, eventStore: { status: 'up' } } });
    await query(await agora(), 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$written by the first run$$)');
    // Every schema migrated in one run at start, each migration recorded once.
    const applied = migrationsLogged(host);
    expect(applied).toHaveLength(1);
    const recorded = (await query(await agora(), 'SELECT schema_name || $$/$$ || name AS migration FROM platform.migrations')) as { migration: string }[];
    expect(applied[0]!.split(', ').sort()).toEqual(recorded.map((row) => row.migration).sort());
    expect(new Set(recorded.map((row) => row.migration.split('/')[0]))).toEqual(
      new Set(['platform', 'event_store', 'messaging', 'projections', 'user_read', 'inventory_read', 'order_read', 'payment_read', 'recommendation_read', 'order_catalog', 'saga']),
    );
  }, 60_000);

  it('lets no one in with postgres/postgres: the password is random, readable by its owner only', async () => {
    await expect(query(`postgres://postgres:postgres@127.0.0.1:${postgresPort}/agora`, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    expect(await password()).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await stat(`${dataDir}.password`)).mode & 0o777).toBe(0o600);
  }, 30_000);

  it('stops the server on SIGINT and exits with code 0', async () => {
    expect(await host!.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(host!.stderr).toBe('');
    expect(await isListening(postgresPort)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 30_000);

  it('keeps the data for the next run, and migrates nothing again', async () => {
    host = await start();
    expect(await query(await agora(), 'SELECT note FROM kept')).toEqual([{ note: 'written by the first run' }]);
    expect(migrationsLogged(host)).toEqual([]);
  }, 60_000);

  it('leaves the server running when the host is killed', async () => {
    expect(await host!.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await isListening(postgresPort)).toBe(true);
  }, 30_000);

  it('recovers the orphaned server on the next start', async () => {
    host = await start();
    expect((await fetch(`${host.url}/health`)).status).toBe(200);
    expect(await query(await agora(), 'SELECT note FROM kept')).toEqual([{ note: 'written by the first run' }]);
    expect(await host.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(await isListening(postgresPort)).toBe(false);
  }, 60_000);
});

/** What the host said it migrated at start: one line per run of the runner that applied anything. */
function migrationsLogged(host: HostProcess): string[] {
  return host.logs().flatMap(({ msg }) => (typeof msg === 'string' && msg.startsWith('Applied ') ? [msg.slice('Applied '.length)] : []));
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const results = await client.query(sql);
    return Array.isArray(results) ? (results.at(-1)?.rows ?? []) : results.rows;
  } finally {
    await client.end();
  }
}

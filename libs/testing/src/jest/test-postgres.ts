import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../../../platform/src/database/embedded-postgres-server.js';
import { freePort } from '../free-port.js';
import { TEST_POSTGRES_URL } from '../postgres.js';

interface Running {
  server: EmbeddedPostgresServer;
  dir: string;
}
const holder = globalThis as { agoraTestPostgres?: Running };

/**
 * One throwaway PostgreSQL server for the whole run; every test file creates its own
 * database on it. `TEST_POSTGRES_URL` points the run at an existing server instead.
 */
export async function startTestPostgres(): Promise<void> {
  if (process.env[TEST_POSTGRES_URL]) return;
  const dir = await mkdtemp(join(tmpdir(), 'agora-test-pg-'));
  await chmod(dir, 0o755);
  const server = await EmbeddedPostgresServer.start({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    // A test cluster is thrown away after the run: durability buys nothing here.
    flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
  });
  process.env[TEST_POSTGRES_URL] = server.url();
  holder.agoraTestPostgres = { server, dir };
}

export async function stopTestPostgres(): Promise<void> {
  const running = holder.agoraTestPostgres;
  if (!running) return;
  await running.server.stop();
  await rm(running.dir, { recursive: true, force: true });
}

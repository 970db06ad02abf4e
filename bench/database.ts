import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../libs/platform/src/database/embedded-postgres-server.js';
import { freePort } from '../libs/testing/src/free-port.js';

/** `BENCH_DATABASE_URL`, or a database on a throwaway embedded server (default durability). */
export async function benchDatabase(name: string, flags: readonly string[] = []): Promise<{ url: string; close(): Promise<void> }> {
  const configured = process.env['BENCH_DATABASE_URL'];
  if (configured) return { url: configured, close: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-pg-'));
  await chmod(dir, 0o755); // the server runs as `postgres` when the benchmark runs as root
  const server = await EmbeddedPostgresServer.start({ dataDir: join(dir, 'data'), port: await freePort(), flags });
  return {
    url: await server.ensureDatabase(name),
    close: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

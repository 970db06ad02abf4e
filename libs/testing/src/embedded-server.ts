import { chmod, mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopOrphanedServer } from '@agora/platform';

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A fresh folder for a test's embedded PostgreSQL: `dataDir` inside `dir`, which the test
 * removes. Readable by others, as the server runs as `postgres` when the tests run as root.
 */
export async function embeddedServerFolder(prefix: string): Promise<{ readonly dir: string; readonly dataDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return { dir, dataDir: join(dir, 'postgres') };
}

/**
 * After a failed test: stop a PostgreSQL server the test left behind in `dataDir`, as a
 * host does at start. It runs in a process group of its own, so killing the test's
 * processes does not reach it.
 */
export async function stopServerHolding(dataDir: string): Promise<void> {
  await stopOrphanedServer(resolve(dataDir));
}

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
 * After a failed test: stop a PostgreSQL server the test left behind in `dataDir`, as a
 * host would at start. It runs in a process group of its own, so killing the test's
 * processes does not reach it.
 */
export async function stopServerHolding(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    process.kill(pid, 'SIGINT');
    for (let waited = 0; waited < 10_000; waited += 100) {
      process.kill(pid, 0);
      await sleep(100);
    }
  } catch {
    // gone
  }
}

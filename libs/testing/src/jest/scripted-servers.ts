import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const holder = globalThis as { agoraStartedServers?: Set<string> };

/** A server that a script of the repository starts and stops (`scripts/<name>.sh start|stop|status`). */
export interface ScriptedServer {
  /** `kafka`: `scripts/kafka.sh`. */
  readonly name: string;
  /** What the tests need it for, in the failure message. */
  readonly what: string;
  /** The variable that names a server of the caller's own; when set, nothing is started. */
  readonly variable: string;
  /** Its value for the server the script starts. */
  readonly address: () => string;
}

export const TEST_KAFKA: ScriptedServer = {
  name: 'kafka',
  what: 'a Kafka broker',
  variable: 'KAFKA_BROKERS',
  address: () => `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`,
};

export const TEST_ETCD: ScriptedServer = {
  name: 'etcd',
  what: 'etcd, the service registry',
  variable: 'REGISTRY_ENDPOINTS',
  address: () => `http://127.0.0.1:${process.env['ETCD_PORT'] ?? '2379'}`,
};

export const TEST_ZIPKIN: ScriptedServer = {
  name: 'zipkin',
  what: 'Zipkin, the trace collector',
  variable: 'ZIPKIN_URL',
  address: () => `http://127.0.0.1:${process.env['ZIPKIN_PORT'] ?? '9411'}`,
};

/**
 * A real server for the run: the caller's (its variable set) when given, otherwise the
 * local one its script starts (and stops again at the end, if it started it). When none
 * can be had the run fails, saying why and what to do; it never skips.
 */
export async function startScriptedServer(server: ScriptedServer): Promise<void> {
  if (process.env[server.variable]) return;
  const script = resolve(`scripts/${server.name}.sh`);
  const wasRunning = await run(script, ['status']).then(
    () => true,
    () => false,
  );
  try {
    await run(script, ['start'], { timeout: 600_000 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`The tests need ${server.what} and none could be started.\n${stderr ?? String(error)}`);
  }
  process.env[server.variable] = server.address();
  if (!wasRunning) (holder.agoraStartedServers ??= new Set()).add(server.name);
}

/** Fails, saying what to install, when a program the tests run is not installed. */
export async function requireProgram(program: string, versionFlag: string, install: string): Promise<void> {
  await run(program, [versionFlag]).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`The tests need ${program} and cannot run it (${error.code ?? error.message}): ${install}`);
  });
}

export async function stopScriptedServer(server: ScriptedServer): Promise<void> {
  if (holder.agoraStartedServers?.delete(server.name)) await run(resolve(`scripts/${server.name}.sh`), ['stop']);
}

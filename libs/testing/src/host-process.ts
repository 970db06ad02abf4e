import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_JWT_SECRET } from './auth.js';

/** The built all-in-one host (`nest build shop`). */
export const SHOP_ENTRY = 'dist/apps/shop/apps/shop/src/main.js';

export interface HostProcessOptions {
  /** Built entry file, relative to the repository root. Default: the shop. */
  readonly entry?: string;
  /** HTTP port the host is told to use (as `PORT`) and polled on. */
  readonly port: number;
  /**
   * Added to this process's environment; `undefined` removes a variable, so that a
   * developer's own `DATABASE_URL` does not leak into a test.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Further options for node, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A host run as a real process from its built entry file, as `npm start` runs it, with
 * its output collected for assertions.
 */
export class HostProcess {
  private stdoutText = '';
  private stderrText = '';
  /** Settles when the process has exited, with its code or the signal that ended it. */
  readonly exited: Promise<Exit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdoutText += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  }

  /** Spawns the host without waiting for it (e.g. to watch it refuse to start). */
  static spawn(options: HostProcessOptions): HostProcess {
    const env: Record<string, string> = {};
    // The run's etcd (REGISTRY_ENDPOINTS, set by the global setup) only where a test asks
    // for it: a host registers itself wherever that variable points.
    for (const [name, value] of Object.entries({ ...process.env, NODE_OPTIONS: undefined, REGISTRY_ENDPOINTS: undefined, JWT_SECRET: TEST_JWT_SECRET, PORT: String(options.port), ...options.env })) {
      if (value !== undefined) env[name] = value;
    }
    const child = spawn(process.execPath, ['--enable-source-maps', ...(options.nodeArgs ?? []), resolve(options.entry ?? SHOP_ENTRY)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new HostProcess(child, options.port);
  }

  /** Spawns the host and waits until its `/health` answers 200. */
  static async start(options: HostProcessOptions & { readonly timeoutMs?: number }): Promise<HostProcess> {
    const host = HostProcess.spawn(options);
    try {
      await host.waitUntilHealthy(options.timeoutMs);
    } catch (error) {
      host.kill('SIGKILL');
      await host.exited;
      throw error;
    }
    return host;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The JSON log lines printed so far; other stdout lines (the start-up banner) are skipped. */
  logs(): Record<string, unknown>[] {
    return this.stdoutText.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits for a log line that matches, as logs are written after the response is sent. */
  async waitForLog(matches: (line: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    for (const deadline = Date.now() + timeoutMs; ; await sleep(50)) {
      const line = this.logs().find(matches);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`No matching log line within ${timeoutMs} ms.${this.output()}`);
    }
  }

  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    let exit: Exit | undefined;
    void this.exited.then((value) => (exit = value));
    let lastProblem = 'no answer';
    for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
      if (exit) throw new Error(`The host exited (code ${exit.code}, signal ${exit.signal}) before it was healthy.${this.output()}`);
      try {
        const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(5000) });
        if (response.status === 200) return;
        lastProblem = `status ${response.status}: ${await response.text()}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`The host was not healthy within ${timeoutMs} ms (${lastProblem}).${this.output()}`);
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Sends the signal and waits for the exit; SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 20_000): Promise<Exit> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private output(): string {
    const tail = (text: string) => text.split('\n').slice(-30).join('\n');
    return `\n--- stdout ---\n${tail(this.stdoutText)}\n--- stderr ---\n${tail(this.stderrText)}`;
  }
}

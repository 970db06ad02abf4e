import { spawn, type ChildProcess } from 'node:child_process';
import { TEST_JWT_SECRET } from './auth.js';
import type { Exit } from './host-process.js';
import { until } from './until.js';

/**
 * A command run as a developer runs it at a terminal (`npm start`, `npm run …`): in a
 * process group of its own, the terminal's foreground group, so that `interrupt` sends
 * SIGINT to every process in it, as Ctrl-C does.
 */
export class TerminalCommand {
  private stdoutText = '';
  private stderrText = '';
  /** Where the output stood when `interrupt` was called. */
  private interruptedAt = { stdout: 0, stderr: 0 };
  readonly exited: Promise<Exit>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdoutText += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  }

  /** `env` is added to this process's; `undefined` removes a variable. */
  static spawn(command: string, args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): TerminalCommand {
    const merged: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...process.env, NODE_OPTIONS: undefined, JWT_SECRET: TEST_JWT_SECRET, ...env })) {
      if (value !== undefined) merged[name] = value;
    }
    return new TerminalCommand(spawn(command, args, { env: merged, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Waits until stdout has a line that includes `text`; fails if the command exits first. */
  async waitForOutput(text: string, timeoutMs = 120_000): Promise<void> {
    let exit: Exit | undefined;
    void this.exited.then((value) => (exit = value));
    await until(() => {
      if (exit) throw new Error(`The command exited (code ${exit.code}, signal ${exit.signal}) before printing "${text}".${this.output()}`);
      return this.stdoutText.includes(text);
    }, timeoutMs).catch((error: Error) => {
      throw new Error(`${error.message}${exit ? '' : this.output()}`);
    });
  }

  /** Ctrl-C: SIGINT to the whole group; resolves with the exit of the command itself. SIGKILL to the group after `timeoutMs`. */
  async interrupt(timeoutMs = 30_000): Promise<Exit> {
    this.interruptedAt = { stdout: this.stdoutText.length, stderr: this.stderrText.length };
    process.kill(-this.child.pid!, 'SIGINT');
    const timer = setTimeout(() => this.killGroup(), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** After a failed test: nothing of the group is left running. */
  killGroup(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // the group has gone
    }
  }

  /**
   * Lines printed since `interrupt` that a reader would take for a problem: log lines at
   * warn or above, and PostgreSQL's, pg's and Node's own complaints.
   */
  problemsWhileStopping(): string[] {
    const printed = `${this.stdoutText.slice(this.interruptedAt.stdout)}\n${this.stderrText.slice(this.interruptedAt.stderr)}`;
    return printed.split('\n').filter((line) => {
      if (/terminating connection|unhandled|connection terminated/i.test(line) || /\b(FATAL|ERROR|WARN(ING)?)\b/.test(line)) return true;
      if (!line.startsWith('{')) return false;
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 40;
      } catch {
        return false;
      }
    });
  }

  output(): string {
    const tail = (text: string) => text.split('\n').slice(-40).join('\n');
    return `\n--- stdout ---\n${tail(this.stdoutText)}\n--- stderr ---\n${tail(this.stderrText)}`;
  }
}

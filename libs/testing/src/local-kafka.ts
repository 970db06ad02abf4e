import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * A broker of a test's own (`scripts/kafka.sh` on free ports and a fresh state dir), for
 * tests that stop and start it: the run's shared broker must stay up for the others.
 */
export class LocalKafka {
  private constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly stateDir: string,
  ) {}

  static async start(): Promise<LocalKafka> {
    const stateDir = await mkdtemp(join(tmpdir(), 'agora-kafka-test-'));
    const port = await freePort();
    const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_STATE_DIR: stateDir };
    const kafka = new LocalKafka(port, env, stateDir);
    await kafka.resume();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The broker's process id, while it runs. */
  async pid(): Promise<number> {
    return Number((await readFile(join(this.stateDir, 'broker.pid'), 'utf8')).trim());
  }

  /** Stops the broker (it keeps its data). */
  async pause(): Promise<void> {
    await run(resolve('scripts/kafka.sh'), ['stop'], { env: this.env, timeout: 60_000 });
  }

  /** Starts it again and waits until it is ready. */
  async resume(): Promise<void> {
    await run(resolve('scripts/kafka.sh'), ['start'], { env: this.env, timeout: 120_000 });
  }

  async stop(): Promise<void> {
    await this.pause();
    await rm(this.stateDir, { recursive: true, force: true });
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** Work that runs in one process at a time, e.g. a relay or a projection. */
export interface SingleActiveWork {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

export interface SingleActiveOptions {
  /** How often a standby tries to take over. Default 1 s. */
  readonly retryMs?: number;
  readonly onChange?: (active: boolean) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs `work` in exactly one of the processes that share a database: the one holding
 * the session-level advisory lock `lockName`. The lock lives with its connection, so
 * when the active process dies (even by kill -9) PostgreSQL lets go of it, and a standby
 * takes over within `retryMs`. A process whose lock connection fails stops its work
 * before anyone else can start it again, as far as the database can tell.
 */
export class SingleActive {
  private running: Promise<void> | undefined;
  private stopped = true;
  private holder: pg.PoolClient | undefined;
  private lost: (() => void) | undefined;
  private wake: AbortController | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly lockName: string,
    private readonly work: SingleActiveWork,
    private readonly options: SingleActiveOptions = {},
  ) {}

  get active(): boolean {
    return this.holder !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.abort();
    this.lost?.();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const client = await this.pool.connect();
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockName]);
        // After a lost lock too, wait a round: a standby that saw it go free goes first.
        if (rows[0]!.locked) await this.holdWhileActive(client);
        else client.release();
      } catch (error) {
        if (!this.stopped) this.options.onError?.(error);
      }
      // stop() could only abort the pause that was under way when it was called.
      if (this.stopped) break;
      this.wake = new AbortController();
      await sleep(this.options.retryMs ?? 1000, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  /** Runs the work until this instance stops or its lock connection fails. */
  private async holdWhileActive(client: pg.PoolClient): Promise<void> {
    let broken: Error | undefined;
    const ended = new Promise<void>((resolve) => {
      this.lost = resolve;
      client.once('error', (error) => {
        broken = error;
        resolve();
      });
    });
    this.holder = client;
    this.options.onChange?.(true);
    try {
      await this.work.start();
      // A heartbeat finds a connection that died without saying so.
      while (!this.stopped && !broken) {
        const tick = new AbortController();
        await Promise.race([ended, sleep(this.options.retryMs ?? 1000, undefined, { signal: tick.signal }).catch(() => undefined)]);
        tick.abort();
        if (this.stopped || broken) break;
        await client.query('SELECT 1').catch((error: Error) => (broken = error));
      }
    } finally {
      await this.work.stop().catch((error: unknown) => this.options.onError?.(error));
      this.holder = undefined;
      this.lost = undefined;
      if (!broken) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockName]).catch(() => undefined);
      client.release(broken);
      this.options.onChange?.(false);
    }
  }
}

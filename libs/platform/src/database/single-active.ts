import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Fence, migrateLeases } from './fence.js';

/** Work that runs in one process at a time, e.g. a relay or a projection. */
export interface SingleActiveWork {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

export interface SingleActiveOptions {
  /**
   * How long the lease lasts unless renewed. The active instance renews it every quarter
   * of this, and stops its work when it could not for three quarters; a standby takes
   * over once it has expired. Default 2 s.
   */
  readonly leaseMs?: number;
  /** How long an instance waits after its connection to the database failed before it tries again. Default a quarter of `leaseMs`. */
  readonly retryMs?: number;
  readonly onChange?: (active: boolean) => void;
  readonly onError?: (error: unknown) => void;
}

/** Why an active instance stopped its work. */
type Ending = 'stopped' | 'deposed' | 'connection-lost' | 'lease-unconfirmed' | 'failed';

/**
 * Runs `work` in exactly one of the processes that share a database: the holder of the
 * lease `lease` in `platform.leases`.
 *
 * - The holder renews the lease on a connection of its own every quarter of `leaseMs`.
 *   When that connection fails, or a renewal has not succeeded for three quarters of
 *   `leaseMs`, it stops its work at once, before the lease can expire in the database.
 * - A standby takes the lease only once it has expired (or its holder let it go on a
 *   stop), and raises its epoch as it does. That waits for the old holder's fenced writes
 *   in flight, and refuses all its later ones (`Fence`): an instance that was paused or
 *   cut off past its lease cannot write over its successor's work.
 * - A holder that dies, even by kill -9, is replaced within about 1¼ × `leaseMs`.
 */
export class SingleActive {
  readonly fence: Fence;
  private readonly id = randomUUID();
  private readonly leaseMs: number;
  private readonly checkMs: number;
  private running: Promise<void> | undefined;
  private stopped = true;
  private holding = false;
  private end: ((why: Ending) => void) | undefined;
  private wake: AbortController | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly lease: string,
    private readonly work: SingleActiveWork,
    private readonly options: SingleActiveOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 2000;
    this.checkMs = Math.max(Math.floor(this.leaseMs / 4), 1);
    this.fence = new Fence(lease, () => this.end?.('deposed'));
  }

  get active(): boolean {
    return this.holding;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.abort();
    this.end?.('stopped');
    await this.running;
  }

  private async run(): Promise<void> {
    let migrated = false;
    while (!this.stopped) {
      let client: pg.PoolClient | undefined;
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
        this.end?.('connection-lost');
      };
      try {
        if (!migrated) await migrateLeases(this.pool);
        migrated = true;
        client = await this.pool.connect();
        client.on('error', onError);
        await client.query('INSERT INTO platform.leases (name, holder, epoch, expires_at) VALUES ($1, NULL, 0, $2) ON CONFLICT DO NOTHING', [this.lease, '-infinity']);
        while (!this.stopped && !broken) {
          const asked = performance.now();
          const epoch = await this.tryToTake(client);
          if (epoch !== undefined) {
            const ending = await this.holdWhileActive(client, epoch, asked);
            // Unless it ended cleanly, a renewal may still be waiting on this connection: it is not used again.
            if (ending !== 'stopped' && ending !== 'deposed') broken ??= new Error(`the lease ${this.lease} ended: ${ending}`);
            if (ending !== 'stopped') break;
          }
          await this.pause(this.checkMs);
        }
      } catch (error) {
        broken ??= error as Error;
        if (!this.stopped) this.options.onError?.(error);
      } finally {
        client?.off('error', onError);
        client?.release(broken);
      }
      await this.pause(this.options.retryMs ?? this.checkMs);
    }
  }

  /** Takes the lease if it has expired or is this instance's own, raising its epoch; the epoch taken, if any. */
  private async tryToTake(client: pg.PoolClient): Promise<number | undefined> {
    // FOR UPDATE only on a lease that can be taken: it waits for the old holder's fenced
    // writes in flight, and makes those that come later see the new epoch.
    const { rows } = await client.query<{ epoch: string }>(
      `WITH free AS (
         SELECT name FROM platform.leases WHERE name = $1 AND (expires_at <= now() OR holder = $2) FOR UPDATE
       )
       UPDATE platform.leases l SET holder = $2, epoch = l.epoch + 1, expires_at = now() + make_interval(secs => $3::float8 / 1000)
       FROM free WHERE l.name = free.name
       RETURNING l.epoch`,
      [this.lease, this.id, this.leaseMs],
    );
    return rows[0] && Number(rows[0].epoch);
  }

  /**
   * Runs the work while the lease is this instance's; returns why it stopped. `asked` is
   * when the lease was asked for: the database's expiry is at least `leaseMs` after it.
   */
  private async holdWhileActive(client: pg.PoolClient, epoch: number, asked: number): Promise<Ending> {
    let ending: Ending | undefined;
    let finish!: (why: Ending) => void;
    const ended = new Promise<void>((resolve) => {
      finish = (why) => {
        ending ??= why;
        resolve();
      };
    });
    this.end = finish;
    if (this.stopped) finish('stopped');
    let confirmedUntil = asked + this.leaseMs;
    // Stops with a quarter of the lease to spare, so the work has stopped before a standby can take it.
    const mustStopBy = () => confirmedUntil - this.checkMs;
    this.fence.hold(epoch);
    this.holding = true;
    this.options.onChange?.(true);
    try {
      await this.work.start();
      while (ending === undefined) {
        const tick = new AbortController();
        const wait = Math.min(this.checkMs, Math.max(mustStopBy() - performance.now(), 0));
        await Promise.race([ended, sleep(wait, undefined, { signal: tick.signal }).catch(() => undefined)]);
        tick.abort();
        if (ending !== undefined) break;
        const renewal = performance.now();
        if (renewal >= mustStopBy()) {
          finish('lease-unconfirmed');
          break;
        }
        const late = new AbortController();
        const renewed = await Promise.race([
          this.renew(client, epoch).catch((error: unknown) => {
            this.options.onError?.(error);
            return 'failed' as const;
          }),
          ended.then(() => undefined),
          sleep(mustStopBy() - renewal, undefined, { signal: late.signal }).then(
            () => undefined,
            () => undefined,
          ),
        ]);
        late.abort();
        if (renewed === true) confirmedUntil = renewal + this.leaseMs;
        else if (renewed === false) finish('deposed');
        else if (renewed === 'failed') finish('connection-lost');
      }
    } catch (error) {
      this.options.onError?.(error);
      finish('failed');
    } finally {
      // Stopped on purpose, the work saves its last checkpoints under the lease, which no one
      // else can have yet. Otherwise no fenced write starts from here on (a write that could
      // no longer reach the database must not hold the stop up), and the database refuses
      // any in flight once a standby has taken over.
      if (ending !== 'stopped' && ending !== 'failed') this.fence.hold(undefined);
      await this.work.stop().catch((error: unknown) => this.options.onError?.(error));
      this.fence.hold(undefined);
      this.holding = false;
      this.end = undefined;
      if (ending === 'stopped' || ending === 'failed') await this.letGo(client, epoch);
      this.options.onChange?.(false);
    }
    return ending!;
  }

  /** Whether the lease is still this instance's at `epoch`; it now lasts `leaseMs` from when this was asked. */
  private async renew(client: pg.PoolClient, epoch: number): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE platform.leases SET expires_at = now() + make_interval(secs => $4::float8 / 1000)
       WHERE name = $1 AND holder = $2 AND epoch = $3`,
      [this.lease, this.id, epoch, this.leaseMs],
    );
    return rowCount === 1;
  }

  /** Gives the lease up on a stop, so that a standby need not wait for it to expire. */
  private async letGo(client: pg.PoolClient, epoch: number): Promise<void> {
    await client
      .query(`UPDATE platform.leases SET holder = NULL, expires_at = '-infinity' WHERE name = $1 AND holder = $2 AND epoch = $3`, [this.lease, this.id, epoch])
      .catch((error: unknown) => this.options.onError?.(error));
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    this.wake = new AbortController();
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }
}

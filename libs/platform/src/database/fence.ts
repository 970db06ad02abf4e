import type pg from 'pg';
import { migrate, type SchemaMigrations } from './migrations.js';

/** A write refused because the lease it ran under was taken over by another instance. */
export class Deposed extends Error {
  override readonly name = 'Deposed';
  constructor(lease: string) {
    super(`This instance no longer holds the lease ${lease}; another instance runs its work now.`);
  }
}

/** `platform.leases`: one row per lease, with its holder, epoch and expiry. */
export const LEASES_MIGRATIONS: SchemaMigrations = {
  schema: 'platform',
  migrations: [
    {
      name: '0001-leases',
      up: `
        CREATE SCHEMA IF NOT EXISTS platform;
        CREATE TABLE IF NOT EXISTS platform.leases (
          name       text PRIMARY KEY,
          holder     text,
          epoch      bigint NOT NULL,
          expires_at timestamptz NOT NULL
        );`,
    },
  ],
};

/** Creates `platform.leases` (`LEASES_MIGRATIONS`). */
export async function migrateLeases(pool: pg.Pool): Promise<void> {
  await migrate(pool, [LEASES_MIGRATIONS]);
}

/**
 * What background work writes under: the lease of the instance that runs it, at the
 * epoch it was taken with. A fenced statement adds `Fence.condition` to its WHERE (with
 * `params()` as its parameters), so that it changes nothing unless the lease is still at
 * that epoch; the writer then calls `refused()`. The condition takes the lease row
 * `FOR KEY SHARE` until the transaction ends: renewals (which change only the expiry) go
 * on, a takeover (which locks the row `FOR UPDATE`) waits for it, and every fenced
 * statement after a takeover sees the new epoch. So once a standby has taken over, no
 * write of the instance it replaced commits, however late that instance's work runs.
 */
export class Fence {
  private epoch: number | undefined;

  constructor(
    readonly lease: string,
    private readonly onDeposed: () => void = () => undefined,
  ) {}

  /** The condition, for a statement whose parameters `$first` and `$first + 1` are `params()`. */
  static condition(first: number): string {
    return `EXISTS (${Fence.lock(first)})`;
  }

  /** The query behind the condition: a row while the lease is at the epoch, locked until the transaction ends. */
  static lock(first: number): string {
    return `SELECT FROM platform.leases WHERE name = $${first} AND epoch = $${first + 1} FOR KEY SHARE`;
  }

  /** The lease's name and epoch, for `condition`; `Deposed` when this instance does not hold it. */
  params(): [string, number] {
    if (this.epoch === undefined) throw new Deposed(this.lease);
    return [this.lease, this.epoch];
  }

  /** For a fenced statement that changed nothing because of the condition: tells the holder to stop at once, and throws `Deposed`. */
  refused(): never {
    this.epoch = undefined;
    this.onDeposed();
    throw new Deposed(this.lease);
  }

  /** For the lease's holder: the epoch it took the lease with, or `undefined` once it lets go. */
  hold(epoch: number | undefined): void {
    this.epoch = epoch;
  }
}

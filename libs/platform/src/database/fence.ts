import type pg from 'pg';
import { migrateUnderLock } from './transaction.js';

/** The SQLSTATE `platform.fence` raises for a write made under a lease that has moved on. */
const DEPOSED_SQLSTATE = 'AGF01';

/** A write refused because the lease it ran under was taken over by another instance. */
export class Deposed extends Error {
  override readonly name = 'Deposed';
  constructor(lease: string) {
    super(`This instance no longer holds the lease ${lease}; another instance runs its work now.`);
  }
}

/**
 * Creates `platform.leases` (one row per lease: its holder, epoch and expiry) and the
 * function `platform.fence(lease, epoch)` that fenced writes call. Idempotent.
 */
export async function migrateLeases(pool: pg.Pool): Promise<void> {
  await migrateUnderLock(
    pool,
    'agora.platform.leases',
    `
      CREATE SCHEMA IF NOT EXISTS platform;
      CREATE TABLE IF NOT EXISTS platform.leases (
        name       text PRIMARY KEY,
        holder     text,
        epoch      bigint NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE OR REPLACE FUNCTION platform.fence(lease text, expected bigint) RETURNS boolean
      LANGUAGE plpgsql AS $$
      BEGIN
        -- KEY SHARE: renewals (which change only the expiry) go on; a takeover, which locks
        -- the row FOR UPDATE, waits until this transaction ends, and every later call sees
        -- the new epoch.
        PERFORM FROM platform.leases WHERE name = lease AND epoch = expected FOR KEY SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'the lease % is no longer at epoch %', lease, expected USING ERRCODE = '${DEPOSED_SQLSTATE}';
        END IF;
        RETURN true;
      END
      $$;`,
  );
}

/**
 * What background work writes under: the lease of the instance that runs it, at the
 * epoch it was taken with. A fenced statement adds `Fence.condition` to its WHERE (with
 * `params()` as its parameters): it fails with `Deposed` unless the lease is still at
 * that epoch, and keeps the lease from being taken over until its transaction ends. So
 * once a standby has taken over, no write of the instance it replaced commits, however
 * late that instance's work runs.
 */
export class Fence {
  private epoch: number | undefined;

  constructor(
    readonly lease: string,
    private readonly onDeposed: () => void = () => undefined,
  ) {}

  /** The condition, for a statement whose parameters `$first` and `$first + 1` are `params()`. */
  static condition(first: number): string {
    return `platform.fence($${first}, $${first + 1})`;
  }

  /** Whether this instance holds the lease now (as far as it knows). */
  get holding(): boolean {
    return this.epoch !== undefined;
  }

  /** The lease's name and epoch, for `condition`; `Deposed` when this instance does not hold it. */
  params(): [string, number] {
    if (this.epoch === undefined) throw new Deposed(this.lease);
    return [this.lease, this.epoch];
  }

  /** Runs a fenced statement: its refusal becomes `Deposed`, and tells the holder to stop at once. */
  async write<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: string }).code !== DEPOSED_SQLSTATE) throw error;
      this.epoch = undefined;
      this.onDeposed();
      throw new Deposed(this.lease);
    }
  }

  /** For the lease's holder: the epoch it took the lease with, or `undefined` once it lets go. */
  hold(epoch: number | undefined): void {
    this.epoch = epoch;
  }
}

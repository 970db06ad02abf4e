import { HttpException, HttpStatus, Inject, Injectable, Optional } from '@nestjs/common';
import { configSchema, PG_POOL, type Config } from '@agora/platform';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { normalizeEmail } from '../../domain/email-address.js';

export type SignInLimits = Pick<
  Config,
  'AUTH_MAX_FAILURES_PER_ACCOUNT' | 'AUTH_MAX_FAILURES_PER_ADDRESS' | 'AUTH_FAILURE_WINDOW_S' | 'AUTH_MAX_REGISTRATIONS_PER_ADDRESS' | 'AUTH_REGISTRATION_WINDOW_S'
>;

/** Nest injection token for the `SignInLimits` of `UserModule.forRoot`; without it, the configuration's defaults. */
export const SIGN_IN_LIMITS = Symbol('SignInLimits');

/** The counters of every instance of an app, in its database: two instances share one allowance. */
const SCHEMA = 'auth_throttle';
const TABLE = 'counters';

/** 429: the caller has to wait `retryAfterSeconds` (sent as `Retry-After`). */
export class TooManyAttempts extends HttpException {
  constructor(
    readonly retryAfterSeconds: number,
    rule: string,
  ) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message: `${rule} Try again in ${retryAfterSeconds} seconds.`, retryAfter: retryAfterSeconds },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

interface Limit {
  readonly limiter: RateLimiterPostgres;
  /** Completes "Too many …" in the refusal. */
  readonly rule: string;
}

/**
 * Throttles sign-in and registration, per account and per client address, with counters
 * in PostgreSQL (rate-limiter-flexible), so that every instance of an app counts against
 * the same allowance.
 *
 * Sign-in counts failures only: every attempt is counted before the password is checked
 * (atomically, so parallel guesses cannot slip through together), and a right password
 * gives its attempt back to the address and starts its account's count again (an attacker
 * cannot clear an address's count by signing in to an account of their own). While
 * either count is spent every sign-in is refused, with the right password too. Per
 * account, that is what stops one account being guessed from many addresses; it also
 * lets a stranger lock a user out, which the modest window (AUTH_FAILURE_WINDOW_S) keeps
 * short. Registration counts every attempt per address.
 */
@Injectable()
export class SignInThrottle {
  private readonly failuresPerAccount: Limit;
  private readonly failuresPerAddress: Limit;
  private readonly registrationsPerAddress: Limit;
  private ready: Promise<void> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Optional() @Inject(SIGN_IN_LIMITS) limits: SignInLimits = configSchema.parse({}),
  ) {
    const limit = (keyPrefix: string, points: number, duration: number, rule: string): Limit => ({
      limiter: new RateLimiterPostgres({ storeClient: pool, storeType: 'pool', schemaName: SCHEMA, tableName: TABLE, tableCreated: true, keyPrefix, points, duration }),
      rule: `Too many ${rule}: at most ${points} in ${duration} seconds.`,
    });
    this.failuresPerAccount = limit('sign-in-account', limits.AUTH_MAX_FAILURES_PER_ACCOUNT, limits.AUTH_FAILURE_WINDOW_S, 'failed sign-ins for this account');
    this.failuresPerAddress = limit('sign-in-address', limits.AUTH_MAX_FAILURES_PER_ADDRESS, limits.AUTH_FAILURE_WINDOW_S, 'failed sign-ins from this address');
    this.registrationsPerAddress = limit('register-address', limits.AUTH_MAX_REGISTRATIONS_PER_ADDRESS, limits.AUTH_REGISTRATION_WINDOW_S, 'registrations from this address');
  }

  /**
   * Counts a sign-in attempt against the account and the address before the password is
   * checked, atomically: a burst of parallel guesses gets no more through than a sequence
   * would. Throws `TooManyAttempts` when either has no attempts left.
   */
  async beforeSignIn(email: string, address: string): Promise<void> {
    await this.migrated();
    await Promise.all([counted(this.failuresPerAccount, accountKey(email)), counted(this.failuresPerAddress, address)]);
  }

  /** A right password: its attempt is given back to the address, and the account's count starts again. */
  async signInSucceeded(email: string, address: string): Promise<void> {
    await Promise.all([this.failuresPerAccount.limiter.delete(accountKey(email)), this.failuresPerAddress.limiter.reward(address, 1)]);
  }

  /** Counts a registration attempt from `address`; throws `TooManyAttempts` past the limit. */
  async beforeRegistration(address: string): Promise<void> {
    await this.migrated();
    await counted(this.registrationsPerAddress, address);
  }

  /** The table of rate-limiter-flexible, made once per process (concurrent instances may race: IF NOT EXISTS within a lock). */
  private migrated(): Promise<void> {
    this.ready ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('${SCHEMA}'))`);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.${TABLE} (key text PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        this.ready = undefined;
        throw error;
      } finally {
        client.release();
      }
    })();
    return this.ready;
  }
}

/** Every letter case and surrounding space of an address counts as one account. */
function accountKey(email: string): string {
  return normalizeEmail(email);
}

/** Counts one attempt for `key`; `TooManyAttempts` when that passes the limit. */
async function counted({ limiter, rule }: Limit, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    throw new TooManyAttempts(secondsOf(error), rule);
  }
}

function secondsOf(counted: RateLimiterRes): number {
  return Math.max(1, Math.ceil(counted.msBeforeNext / 1000));
}

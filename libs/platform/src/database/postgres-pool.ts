import { Logger } from '@nestjs/common';
import pg from 'pg';

/** Nest injection token for the host's `pg.Pool`. */
export const PG_POOL = Symbol('PgPool');

export interface PostgresPoolOptions {
  readonly url: string;
  readonly size: number;
  /** Shown in `pg_stat_activity`, so a DBA can tell whose connections these are. */
  readonly applicationName?: string;
  /** Where a failed idle connection is reported. Default: a Nest logger named `PostgresPool`. */
  readonly logger?: Pick<Logger, 'warn' | 'debug'>;
}

/** The connections of each pool made here that have not closed yet: `closePostgresPool` waits for them. */
const openConnections = new WeakMap<pg.Pool, Set<Promise<void>>>();

export function createPostgresPool({ url, size, applicationName, logger = new Logger('PostgresPool') }: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: size, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  const open = new Set<Promise<void>>();
  openConnections.set(pool, open);
  pool.on('connect', (client) => {
    const closed = new Promise<void>((resolveClosed) => client.once('end', () => resolveClosed()));
    open.add(closed);
    void closed.then(() => open.delete(closed));
  });
  // An idle connection that the server closes (restart, shutdown, admin kill) is reported
  // here; without a listener, pg's 'error' event would crash the process. The pool
  // replaces the connection on the next checkout. While the pool closes it is expected.
  pool.on('error', (error) => {
    const message = `An idle PostgreSQL connection failed: ${error.message}`;
    if (pool.ending) logger.debug(message);
    else logger.warn(message);
  });
  return pool;
}

/**
 * Ends the pool and waits until every connection has closed. `pool.end()` alone resolves
 * once the pool has asked its connections to close, before they have: a server stopped
 * right after would terminate them, and each would report it.
 */
export async function closePostgresPool(pool: pg.Pool): Promise<void> {
  await pool.end();
  await Promise.all(openConnections.get(pool) ?? []);
}

import { Logger } from '@nestjs/common';
import pg from 'pg';

/** Nest injection token for the host's `pg.Pool`. */
export const PG_POOL = Symbol('PgPool');

export interface PostgresPoolOptions {
  readonly url: string;
  readonly size: number;
  /** Shown in `pg_stat_activity`, so a DBA can tell whose connections these are. */
  readonly applicationName: string;
}

export function createPostgresPool({ url, size, applicationName }: PostgresPoolOptions): pg.Pool {
  const logger = new Logger('PostgresPool');
  const pool = new pg.Pool({ connectionString: url, max: size, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  // An idle connection that the server closes (restart, shutdown, admin kill) is reported
  // here; without a listener, pg's 'error' event would crash the process. The pool
  // replaces the connection on the next checkout.
  pool.on('error', (error) => logger.warn(`An idle PostgreSQL connection failed: ${error.message}`));
  return pool;
}

import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import type { Config } from '../config/config.schema.js';
import { withoutCredentials } from '../config/load-config.js';
import { EmbeddedPostgresServer, embeddedPostgresPasswordFile, runningEmbeddedPostgresUrl } from './embedded-postgres-server.js';

/** Nest injection token for the host's `PostgresDatabase`. */
export const POSTGRES_DATABASE = Symbol('PostgresDatabase');

/** The database a host works in: the configured one, or one on an embedded server it runs. */
export interface PostgresDatabase {
  readonly url: string;
  /** Stops the embedded server, if any; a configured server is left alone. */
  close(): Promise<void>;
}

/**
 * `DATABASE_URL` when it is set; otherwise an embedded PostgreSQL server in
 * `EMBEDDED_POSTGRES_DIR` (kept between runs) with a database named `databaseName`.
 * With `beside` (a tool run next to a host), an embedded server that already runs there
 * is used as it is and left running; otherwise one is started and stopped by `close`.
 */
export async function openPostgresDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'EMBEDDED_POSTGRES_DIR' | 'EMBEDDED_POSTGRES_PORT'>,
  databaseName: string,
  options: { readonly beside?: boolean } = {},
): Promise<PostgresDatabase> {
  const logger = new Logger('Postgres');
  if (config.DATABASE_URL) {
    logger.log(`Using PostgreSQL at ${withoutCredentials(config.DATABASE_URL)}`);
    return { url: config.DATABASE_URL, close: async () => undefined };
  }
  const dataDir = resolve(config.EMBEDDED_POSTGRES_DIR);
  const running = options.beside ? await runningEmbeddedPostgresUrl(dataDir, databaseName) : undefined;
  if (running) {
    logger.log(`Using the embedded PostgreSQL that runs in ${dataDir}`);
    return { url: running, close: async () => undefined };
  }
  const started = Date.now();
  logger.log(`Starting embedded PostgreSQL in ${dataDir} on port ${config.EMBEDDED_POSTGRES_PORT}`);
  const server = await EmbeddedPostgresServer.start({
    dataDir,
    port: config.EMBEDDED_POSTGRES_PORT,
    onLog: (line) => logger.debug(line.trim()),
  });
  if (server.replacedLegacyPassword) {
    logger.warn(`Embedded PostgreSQL in ${dataDir} had the password postgres; it now takes only the one in ${embeddedPostgresPasswordFile(dataDir)}`);
  }
  try {
    const url = await server.ensureDatabase(databaseName);
    logger.log(`Embedded PostgreSQL is ready in ${Date.now() - started} ms: ${withoutCredentials(url)}`);
    return {
      url,
      close: async () => {
        logger.log('Stopping embedded PostgreSQL');
        await server.stop();
        logger.log('Embedded PostgreSQL stopped');
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

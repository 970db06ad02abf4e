import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { PostgresEventStore } from '@agora/event-sourcing';
import { createHttpApp, loggerModule, SHUTDOWN_SIGNALS, type HttpAppOptions, type SchemaMigrations } from '@agora/platform';
import type { ReadModel } from '@agora/projections';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase } from './postgres.js';
import { testHost } from './test-host.js';

export interface HttpTestAppOptions {
  /** Names the test's own database. */
  readonly database: string;
  /** The context's modules, and what else the app imports (a GraphQL module). */
  readonly imports: readonly (Type | DynamicModule)[];
  readonly providers?: readonly Provider[];
  readonly readModels: readonly ReadModel[];
  /** The context's schemas besides its read models (`ContextDefinition.schemas`). */
  readonly schemas?: readonly SchemaMigrations[];
  /** Named in the OpenAPI document. */
  readonly title: string;
  readonly http?: Pick<HttpAppOptions, 'trustProxyHops'>;
  /** Connections of the test's pool. Default 10. */
  readonly poolSize?: number;
  /** How often the event store polls for appends of other processes. */
  readonly pollIntervalMs?: number;
}

export interface HttpTestApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly pool: pg.Pool;
  readonly store: PostgresEventStore;
  /** Closes the app once, however often it is called (a test may close it itself). */
  closeApp(): Promise<void>;
  /** Closes the app, gives the shutdown signals back to jest, and ends the store and the pool. */
  close(): Promise<void>;
}

/**
 * A context's HTTP API under test, as a host serves it: a fresh database with the event
 * store migrated, the host's HTTP conventions (prefix, validation, correlation ids), and
 * what a host gives its context modules (`testHost`); initialised.
 */
export async function httpTestApp(options: HttpTestAppOptions): Promise<HttpTestApp> {
  // createHttpApp takes over the shutdown signals: they go back to jest at close.
  const signalListeners = SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);
  const url = await createTestDatabase(options.database);
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  const store = new PostgresEventStore(pool, { ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }) });
  await store.migrate();
  const logger = pino({ level: 'silent' });
  const app = await createHttpApp(
    {
      module: class HttpTestAppModule {},
      imports: [loggerModule(logger), ...testHost({ url, eventStore: store, pool, readModels: options.readModels, schemas: options.schemas ?? [] }), ...options.imports],
      providers: [...(options.providers ?? [])],
    },
    { logger, title: options.title, description: `${options.title} API under test`, version: '0.0.0', ...options.http },
  );
  await app.init();
  let appClosed: Promise<void> | undefined;
  const closeApp = () => (appClosed ??= app.close());
  return {
    app,
    url,
    pool,
    store,
    closeApp,
    close: async () => {
      await closeApp();
      for (const [signal, listeners] of signalListeners) for (const listener of listeners) process.on(signal, listener);
      await store.close();
      await pool.end();
    },
  };
}

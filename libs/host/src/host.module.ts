import { Inject, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  EVENT_STORE,
  eventStoreMigrations,
  EventStoreDbEventStore,
  FanOutEventStore,
  MeasuredEventStore,
  PostgresEventStore,
  PostgresSnapshotStore,
  SNAPSHOT_STORE,
  Upcasters,
  UpcastingEventStore,
  type EventStore,
  type SnapshotStore,
  type Upcaster,
} from '@agora/event-sourcing';
import { claimCheckpointsForEventStore } from '@agora/messaging';
import {
  AuthModule,
  BACKGROUND_WORK,
  BackgroundWork,
  closePostgresPool,
  createPostgresPool,
  LEASES_MIGRATIONS,
  loggerModule,
  migrate,
  openPostgresDatabase,
  PG_POOL,
  POSTGRES_DATABASE,
  type Config,
  type PostgresDatabase,
  type SchemaMigrations,
} from '@agora/platform';
import { readSideMigrations, ReadSideModule, type ReadModel } from '@agora/projections';
import type pg from 'pg';
import type pino from 'pino';
import { OperationsController } from './admin/operations.controller.js';
import { ProjectionRebuilds } from './admin/projection-rebuilds.js';
import { HealthController, PROJECTION_LAG_DEGRADED_MS } from './health.controller.js';
import { InstanceRegistration } from './instance-registration.js';

export interface HostOptions {
  /** The app: names its database connections and the lock of its background work. */
  readonly app: string;
  readonly config: Config;
  readonly logger: pino.Logger;
  readonly jwtSecret: string;
  /** The read models this app serves and projects. */
  readonly readModels: readonly ReadModel[];
  /** How events stored in an older shape become the newest, on every read of the event store. */
  readonly upcasters?: readonly Upcaster[];
  /** The migrations of the schemas its contexts keep besides their read models (the order catalog, the saga's deadlines). */
  readonly schemas?: readonly SchemaMigrations[];
}

/**
 * Resolved once every schema of the host is up to date: one run of the migration runner
 * at start (`migrate`), which the event store, the snapshots, the read side and the
 * background work wait for.
 */
export const SCHEMAS_MIGRATED = Symbol('SchemasMigrated');

/**
 * What every host needs besides its contexts, as one global module: PostgreSQL (embedded
 * unless DATABASE_URL is set), the event store of EVENT_STORE, the snapshots of long
 * streams (SNAPSHOT_STORE, in PostgreSQL whichever the event store), auth, the read side,
 * the background work that runs in one instance at a time, `/health`, and the instance's
 * entry in the service registry. The app's
 * root module imports it with its context modules; this is where ports meet adapters.
 */
@Module({})
export class HostModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  static forRoot(options: HostOptions): DynamicModule {
    const { config } = options;
    return {
      module: HostModule,
      // Every context module injects these without importing the host.
      global: true,
      imports: [
        loggerModule(options.logger),
        AuthModule.forRoot({ secret: options.jwtSecret, expiresInSeconds: config.JWT_EXPIRES_IN_S }),
        TerminusModule,
        ReadSideModule.forRoot({
          readModels: options.readModels,
          inject: [POSTGRES_DATABASE, SCHEMAS_MIGRATED],
          url: (database: PostgresDatabase) => database.url,
          migrate: false,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
      ],
      controllers: [HealthController, OperationsController],
      providers: [
        { provide: PROJECTION_LAG_DEGRADED_MS, useValue: config.PROJECTION_LAG_DEGRADED_MS },
        ProjectionRebuilds,
        { provide: InstanceRegistration, useFactory: () => new InstanceRegistration(options.app, config) },
        { provide: POSTGRES_DATABASE, useFactory: () => openPostgresDatabase(config, 'agora') },
        {
          provide: PG_POOL,
          inject: [POSTGRES_DATABASE],
          useFactory: (database: PostgresDatabase) =>
            createPostgresPool({ url: database.url, size: config.DATABASE_POOL_SIZE, applicationName: `agora-${options.app}` }),
        },
        {
          provide: SCHEMAS_MIGRATED,
          inject: [PG_POOL],
          useFactory: async (pool: pg.Pool): Promise<void> => {
            const applied = await migrate(pool, [
              LEASES_MIGRATIONS,
              // Snapshots live in the event store's schema in PostgreSQL also when events live in EventStoreDB.
              eventStoreMigrations('event_store'),
              ...readSideMigrations(options.readModels),
              ...(options.schemas ?? []),
            ]);
            if (applied.length > 0) new Logger('Migrations').log(`Applied ${applied.join(', ')}`);
          },
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL, SCHEMAS_MIGRATED],
          useFactory: async (pool: pg.Pool): Promise<EventStore> => {
            // Every checkpoint is a position in this store: refuse a database whose checkpoints are another's.
            await claimCheckpointsForEventStore(pool, config.EVENT_STORE);
            const upcasters = new Upcasters(options.upcasters);
            // The config schema refuses EVENT_STORE=esdb without EVENTSTORE_URL.
            const store =
              config.EVENT_STORE === 'esdb' ? EventStoreDbEventStore.connect(config.EVENTSTORE_URL!) : new PostgresEventStore(pool, { schema: 'event_store' });
            // One reader of the log for the whole process, fanned out to every subscriber;
            // each event is upcast once, below it; every append is measured.
            return new FanOutEventStore(UpcastingEventStore.over(new MeasuredEventStore(store), upcasters));
          },
        },
        {
          // In PostgreSQL also when events live in EventStoreDB (docs/adr/0011).
          provide: SNAPSHOT_STORE,
          inject: [PG_POOL, SCHEMAS_MIGRATED],
          useFactory: (pool: pg.Pool): SnapshotStore => new PostgresSnapshotStore(pool, { schema: 'event_store' }),
        },
        {
          provide: BACKGROUND_WORK,
          inject: [PG_POOL, SCHEMAS_MIGRATED],
          useFactory: (pool: pg.Pool) => new BackgroundWork(pool, options.app, { leaseMs: config.BACKGROUND_FAILOVER_MS }),
        },
      ],
      exports: [EVENT_STORE, SNAPSHOT_STORE, PG_POOL, POSTGRES_DATABASE, BACKGROUND_WORK, SCHEMAS_MIGRATED],
    };
  }

  constructor(
    @Inject(POSTGRES_DATABASE) private readonly database: PostgresDatabase,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    new Logger(HostModule.name).log(`Shutting down${signal ? ` on ${signal}` : ''}`);
  }

  /**
   * Runs after the HTTP server has closed and after the hooks of every provider here:
   * contexts stop their work before (`BackgroundWork` in `beforeApplicationShutdown`),
   * and the infrastructure they used goes last, in the reverse order of its creation.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
    await closePostgresPool(this.pool);
    await this.database.close();
  }
}

import { Inject, Logger, Module, type DynamicModule, type InjectionToken, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { DataSource } from 'typeorm';
import type { ReadModel } from './projection.js';
import { PROJECTIONS, Projections } from './projections.js';
import { openReadModels } from './read-models.js';

export interface ReadSideOptions {
  readonly readModels: readonly ReadModel[];
  /** Providers to inject into `url`, e.g. the host's database. */
  readonly inject?: InjectionToken[];
  readonly url: (...injected: never[]) => string | Promise<string>;
  readonly poolSize?: number;
  /** Longest a command endpoint waits for its projection. Default 5 s. */
  readonly waitTimeoutMs?: number;
}

/**
 * The read side of a host, as a global module: the read models' TypeORM `DataSource`
 * (migrated at start) and the `Projections` that fill them, started when the module
 * is initialised and stopped before the data source closes. Needs `EVENT_STORE`.
 */
@Module({})
export class ReadSideModule implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  static forRoot(options: ReadSideOptions): DynamicModule {
    return {
      module: ReadSideModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          inject: options.inject ?? [],
          useFactory: async (...injected: never[]) =>
            openReadModels({
              url: await options.url(...injected),
              entities: options.readModels.flatMap((model) => model.entities),
              migrations: options.readModels.flatMap((model) => model.migrations),
              schemas: options.readModels.map((model) => model.schema),
              ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
            }),
        },
        {
          provide: PROJECTIONS,
          inject: [DataSource, EVENT_STORE],
          useFactory: (dataSource: DataSource, store: EventStore) => {
            const logger = new Logger('Projections');
            return new Projections(
              dataSource,
              store,
              options.readModels.flatMap((model) => model.projections),
              {
                ...(options.waitTimeoutMs !== undefined && { waitTimeoutMs: options.waitTimeoutMs }),
                onError: (error, projection) => logger.warn(`${projection} failed and resumes from its checkpoint: ${error instanceof Error ? error.message : String(error)}`),
              },
            );
          },
        },
      ],
      exports: [DataSource, PROJECTIONS],
    };
  }

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PROJECTIONS) private readonly projections: Projections,
  ) {}

  // At init, before any module's bootstrap writes (seed data) waits for its projection.
  onModuleInit(): void {
    this.projections.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.projections.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

import { Logger, Module, type DynamicModule, type InjectionToken, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { PostgresParkedEvents } from '@agora/messaging';
import { BACKGROUND_WORK, PG_POOL, type BackgroundWork } from '@agora/platform';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import type { ReadModel } from './projection.js';
import { PROJECTIONS, Projections, READ_SIDE_STATEMENTS } from './projections.js';
import { openReadModels } from './read-models.js';

export interface ReadSideOptions {
  readonly readModels: readonly ReadModel[];
  /** Providers to inject into `url`, e.g. the host's database. */
  readonly inject?: InjectionToken[];
  readonly url: (...injected: never[]) => string | Promise<string>;
  readonly poolSize?: number;
  /** `false` where the host has migrated the read models already. Default `true`. */
  readonly migrate?: boolean;
  /** Longest a command endpoint waits for its projection. Default 5 s. */
  readonly waitTimeoutMs?: number;
}

/**
 * The read side of a host, as a global module: the read models' TypeORM `DataSource`
 * (migrated at start) and the `Projections` that fill them, run as the host's
 * background work (in one instance of the app at a time). Needs `EVENT_STORE` and
 * `BACKGROUND_WORK`; with `PG_POOL` (as every host has) a projection parks the events it
 * cannot apply, without it (a test of one context) it tries them until they apply.
 */
@Module({})
export class ReadSideModule implements OnApplicationShutdown {
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
              readModels: options.readModels,
              ...(options.migrate !== undefined && { migrate: options.migrate }),
              ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
            }),
        },
        {
          provide: PROJECTIONS,
          inject: [DataSource, EVENT_STORE, BACKGROUND_WORK, { token: PG_POOL, optional: true }],
          useFactory: (dataSource: DataSource, store: EventStore, work: BackgroundWork, pool: pg.Pool | undefined) => {
            const logger = new Logger('Projections');
            const projections = new Projections(
              dataSource,
              store,
              options.readModels.flatMap((model) => model.projections),
              {
                ...(options.waitTimeoutMs !== undefined && { waitTimeoutMs: options.waitTimeoutMs }),
                ...(pool && { parked: new PostgresParkedEvents(pool) }),
                fence: work.fence,
                onError: (error, projection) => logger.warn(`${projection} failed and resumes from its checkpoint: ${error instanceof Error ? error.message : String(error)}`),
              },
            );
            work.add('projections', projections);
            return projections;
          },
        },
        { provide: READ_SIDE_STATEMENTS, inject: [PROJECTIONS], useFactory: (projections: Projections) => projections.statements },
      ],
      exports: [DataSource, PROJECTIONS, READ_SIDE_STATEMENTS],
    };
  }

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

import type { DynamicModule } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { migrate, PG_POOL, type SchemaMigrations } from '@agora/platform';
import { ReadSideModule, type ReadModel } from '@agora/projections';
import type pg from 'pg';
import { testAuth } from './auth.js';
import { testBackgroundWork } from './background-work.js';

export interface TestHostOptions {
  /** The test database. */
  readonly url: string;
  readonly eventStore: EventStore;
  /** A pool on `url`, which the test ends. */
  readonly pool: pg.Pool;
  readonly readModels: readonly ReadModel[];
  /** The contexts' schemas besides their read models (`ContextDefinition.schemas`), migrated as the host would. */
  readonly schemas?: readonly SchemaMigrations[];
}

const TEST_SCHEMAS = Symbol('TestSchemas');

/**
 * What a host gives the context modules of a test app, as the host does it (global
 * modules): `EVENT_STORE` and `PG_POOL`, authentication, background work and the read side.
 */
export function testHost({ url, eventStore, pool, readModels, schemas = [] }: TestHostOptions): DynamicModule[] {
  return [
    {
      module: class TestInfrastructureModule {},
      global: true,
      providers: [
        { provide: EVENT_STORE, useValue: eventStore },
        { provide: PG_POOL, useValue: pool },
        { provide: TEST_SCHEMAS, useFactory: () => migrate(pool, schemas) },
      ],
      exports: [EVENT_STORE, PG_POOL],
    },
    testAuth.module(),
    testBackgroundWork(url),
    ReadSideModule.forRoot({ readModels, url: () => url }),
  ];
}

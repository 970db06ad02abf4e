import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import { BACKGROUND_WORK, BackgroundWork, closePostgresPool, createPostgresPool } from '@agora/platform';
import type pg from 'pg';

/**
 * What a host gives modules for their background work, for a test app on database `url`:
 * a global module with `BACKGROUND_WORK` and its own small pool.
 */
export function testBackgroundWork(url: string): DynamicModule {
  const pool = createPostgresPool({ url, size: 2 });
  class TestBackgroundWorkModule implements OnApplicationShutdown {
    async onApplicationShutdown(): Promise<void> {
      await closePostgresPool(pool);
    }
  }
  return {
    module: TestBackgroundWorkModule,
    global: true,
    providers: [{ provide: BACKGROUND_WORK, useFactory: () => new BackgroundWork(pool, 'test') }],
    exports: [BACKGROUND_WORK],
  };
}

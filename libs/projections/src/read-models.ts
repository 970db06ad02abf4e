import { migrateMessaging } from '@agora/messaging';
import { closePostgresPool, createPostgresPool } from '@agora/platform';
import { DataSource } from 'typeorm';
import { MoveProjectionCheckpoints1795800000000, ProjectionCheckpoints1795600000000 } from './checkpoints.migration.js';

export interface ReadModelsOptions {
  readonly url: string;
  /** TypeORM entities of every read model this process serves or projects. */
  readonly entities: readonly Function[];
  /** TypeORM migrations that create their schemas and tables. */
  readonly migrations: readonly Function[];
  /** The read models' schemas: unqualified table names resolve in these, in this order. */
  readonly schemas: readonly string[];
  /** Most connections to PostgreSQL. Default 10. */
  readonly poolSize?: number;
}

const MIGRATION_LOCK = 'agora.read-models';

/**
 * Opens the TypeORM data source of the read models and migrates them (never
 * `synchronize`), after the messaging tables that hold the projections' checkpoints and
 * parked events. Migrations run under a PostgreSQL advisory lock, so processes starting
 * side by side take turns and each finds the work done.
 */
export async function openReadModels(options: ReadModelsOptions): Promise<DataSource> {
  const pool = createPostgresPool({ url: options.url, size: 1 });
  try {
    await migrateMessaging(pool);
  } finally {
    await closePostgresPool(pool);
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: [...options.entities],
    migrations: [ProjectionCheckpoints1795600000000, MoveProjectionCheckpoints1795800000000, ...options.migrations],
    migrationsTableName: 'read_model_migrations',
    synchronize: false,
    // `public` first: it stays the current schema, where TypeORM keeps its migrations table,
    // whichever read schemas exist yet. Read-model tables resolve in the schemas after it.
    extra: { max: options.poolSize ?? 10, options: `-c search_path=${['public', ...options.schemas].join(',')}` },
  });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
  return dataSource;
}

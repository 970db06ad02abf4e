import { MESSAGING_MIGRATIONS } from '@agora/messaging';
import { closePostgresPool, createPostgresPool, migrate, type SchemaMigrations } from '@agora/platform';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { MoveProjectionCheckpoints1795800000000, ProjectionCheckpoints1795600000000 } from './checkpoints.migration.js';
import type { ReadModel } from './projection.js';

export interface ReadModelsOptions {
  readonly url: string;
  /** Every read model this process serves or projects: its schema, TypeORM entities and migrations. */
  readonly readModels: readonly Pick<ReadModel, 'schema' | 'entities' | 'migrations'>[];
  /** Most connections to PostgreSQL. Default 10. */
  readonly poolSize?: number;
  /** `false` where the host has migrated them already (`readSideMigrations`, in its one run at start). Default `true`. */
  readonly migrate?: boolean;
}

/** The projections' checkpoints before they moved to `messaging.checkpoints`: created, then moved. */
const PROJECTION_CHECKPOINTS: SchemaMigrations = {
  schema: 'projections',
  migrations: [ProjectionCheckpoints1795600000000, MoveProjectionCheckpoints1795800000000],
  adopt: adoptTypeormRecords,
};

/**
 * A read model's migrations for the one runner (`migrate`). On a database whose read
 * models TypeORM migrated (table `read_model_migrations`, as before the runner existed),
 * the migrations it recorded are taken as applied: they keep their names.
 */
export function readModelMigrations(readModel: Pick<ReadModel, 'schema' | 'migrations'>): SchemaMigrations {
  return { schema: readModel.schema, migrations: readModel.migrations, adopt: adoptTypeormRecords };
}

async function adoptTypeormRecords(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ found: string | null }>("SELECT to_regclass('public.read_model_migrations')::text AS found");
  if (rows[0]?.found == null) return [];
  return (await client.query<{ name: string }>('SELECT name FROM public.read_model_migrations')).rows.map((row) => row.name);
}

/**
 * What the read side needs migrated, in order: the messaging tables first, which hold the
 * projections' checkpoints and parked events, then each read model's schema.
 */
export function readSideMigrations(readModels: readonly Pick<ReadModel, 'schema' | 'migrations'>[]): SchemaMigrations[] {
  return [MESSAGING_MIGRATIONS, PROJECTION_CHECKPOINTS, ...readModels.map(readModelMigrations)];
}

/**
 * Opens the TypeORM data source of the read models once their schemas are up to date
 * (`readSideMigrations`, through the one runner; never `synchronize`).
 */
export async function openReadModels(options: ReadModelsOptions): Promise<DataSource> {
  if (options.migrate !== false) {
    const pool = createPostgresPool({ url: options.url, size: 1 });
    try {
      await migrate(pool, readSideMigrations(options.readModels));
    } finally {
      await closePostgresPool(pool);
    }
  }
  const schemas = options.readModels.map((model) => model.schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.readModels.flatMap((model) => model.entities),
    synchronize: false,
    // Read-model tables resolve in their schemas, after `public`.
    extra: { max: options.poolSize ?? 10, options: `-c search_path=${['public', ...schemas].join(',')}` },
  });
  await dataSource.initialize();
  return dataSource;
}

import type { EventStore, GlobalPosition, RecordedEvent } from '@agora/event-sourcing';
import pg from 'pg';
import { Gauge } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { Projection } from './projection.js';
import { replaceCheckpoint } from './projection-checkpoints.js';

const rebuiltEvents = new Gauge({
  name: 'agora_projection_rebuild_events',
  help: 'Events a rebuild of a projection running in this process has applied so far.',
  labelNames: ['projection'],
});
const rebuiltRatio = new Gauge({
  name: 'agora_projection_rebuild_progress_ratio',
  help: 'Share of the log a rebuild of a projection running in this process has read, 0 to 1 (1 once it has switched).',
  labelNames: ['projection'],
});

export interface RebuildProgress {
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Share of the log read so far, 0 to 1 (by position: other categories count too). */
  readonly fraction: number;
  /** Seconds left at the current rate, when it can be told. */
  readonly etaSeconds: number | undefined;
}

/** A rebuild of a projection of the same schema is under way (here, in another process, or through the CLI). */
export class RebuildUnderWay extends Error {
  override readonly name = 'RebuildUnderWay';
  constructor(schema: string) {
    super(`A rebuild of a projection of the schema ${schema} is under way; try again once it has switched.`);
  }
}

export interface RebuildOptions {
  /** Events per transaction. Default 2000. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Called once no other rebuild of the schema stands in the way, before any work. */
  readonly onStarted?: () => void;
}

/**
 * Rebuilds a projection from the start of the log into fresh copies of its tables (in
 * `<schema>__rebuild`, copied with `LIKE … INCLUDING ALL`) while the live tables keep
 * serving, then switches in one transaction: it locks the live checkpoint (the live
 * runner waits), applies what arrived meanwhile, moves the old tables out of the schema
 * and the new ones in, and hands the live checkpoint the rebuild's position. The live
 * runner then finds its checkpoint moved and carries on from there, on the new tables.
 * Other projections' tables in the same schema are not touched. One rebuild per schema at
 * a time, across processes (they share `<schema>__rebuild`): another throws `RebuildUnderWay`.
 */
export async function rebuildProjection(dataSource: DataSource, store: EventStore, projection: Projection, options: RebuildOptions = {}): Promise<{ events: number; seconds: number }> {
  // A session lock on a connection of its own, held until the rebuild has switched or failed.
  const guard = dataSource.createQueryRunner();
  await guard.connect();
  try {
    const [{ locked }] = (await guard.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`agora.rebuild:${projection.schema}`])) as [{ locked: boolean }];
    if (!locked) throw new RebuildUnderWay(projection.schema);
    options.onStarted?.();
    try {
      return await rebuildUnderLock(dataSource, store, projection, options);
    } finally {
      await guard.query('SELECT pg_advisory_unlock(hashtext($1))', [`agora.rebuild:${projection.schema}`]);
    }
  } finally {
    await guard.release();
  }
}

async function rebuildUnderLock(dataSource: DataSource, store: EventStore, projection: Projection, options: RebuildOptions): Promise<{ events: number; seconds: number }> {
  const live = pg.escapeIdentifier(projection.schema);
  const next = pg.escapeIdentifier(`${projection.schema}__rebuild`);
  const old = pg.escapeIdentifier(`${projection.schema}__old`);
  const batchSize = options.batchSize ?? 2000;
  const started = performance.now();
  const head = await store.headPosition();

  const tables = projection.tables.map((table) => pg.escapeIdentifier(table));
  await dataSource.transaction(async (rows) => {
    await rows.query(`DROP SCHEMA IF EXISTS ${next} CASCADE`);
    await rows.query(`CREATE SCHEMA ${next}`);
    for (const table of tables) await rows.query(`CREATE TABLE ${next}.${table} (LIKE ${live}.${table} INCLUDING ALL)`);
  });

  let events = 0;
  let after: GlobalPosition | undefined;
  const applyPage = async (rows: EntityManager): Promise<number> => {
    const page: RecordedEvent[] = await store.readAll({ ...(after && { after }), categories: projection.categories, maxCount: batchSize });
    if (page.length === 0) return 0;
    await projection.apply(page, rows);
    after = page[page.length - 1]!.position;
    events += page.length;
    return page.length;
  };
  const inSchema = <T>(work: (rows: EntityManager) => Promise<T>) =>
    dataSource.transaction(async (rows) => {
      await rows.query(`SET LOCAL search_path TO ${next}, public`);
      return work(rows);
    });

  // Catch up page by page, one transaction each, reporting as we go.
  for (let applied = batchSize; applied === batchSize; ) {
    applied = await inSchema(applyPage);
    const seconds = (performance.now() - started) / 1000;
    const fraction = head && after ? Math.min(1, after.prepare / Math.max(1, head.prepare)) : 1;
    const eventsPerSecond = events / Math.max(seconds, 0.001);
    rebuiltEvents.set({ projection: projection.name }, events);
    rebuiltRatio.set({ projection: projection.name }, fraction);
    options.onProgress?.({ events, eventsPerSecond, fraction, etaSeconds: fraction > 0 ? (seconds * (1 - fraction)) / fraction : undefined });
  }

  // Switch: what arrived since the last page, then the tables and the checkpoint, atomically.
  await inSchema(async (rows) => {
    await rows.query('SELECT 1 FROM messaging.checkpoints WHERE name = $1 FOR UPDATE', [projection.name]);
    while ((await applyPage(rows)) === batchSize);
    await rows.query(`CREATE SCHEMA ${old}`);
    for (const table of tables) {
      await rows.query(`ALTER TABLE ${live}.${table} SET SCHEMA ${old}`);
      await rows.query(`ALTER TABLE ${next}.${table} SET SCHEMA ${live}`);
    }
    await rows.query(`DROP SCHEMA ${old} CASCADE`);
    await rows.query(`DROP SCHEMA ${next} CASCADE`);
    await replaceCheckpoint(rows, projection.name, after);
    // The rebuild applied every event, the parked ones too: nothing is left to retry.
    await rows.query('DELETE FROM messaging.parked_events WHERE subscriber = $1', [projection.name]);
  });
  rebuiltEvents.set({ projection: projection.name }, events);
  rebuiltRatio.set({ projection: projection.name }, 1);
  return { events, seconds: (performance.now() - started) / 1000 };
}

import type { RecordedEvent } from '@agora/event-sourcing';
import { getMetadataArgsStorage, In, type EntityManager, type EntityTarget, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import type { CommittedRows, Projection, ProjectionPlan, ReadRows, RowsByStream } from './projection.js';

export interface RowProjectionSpec<Row extends ObjectLiteral> {
  readonly name: string;
  readonly schema: string;
  readonly categories: readonly string[];
  readonly entity: EntityTarget<Row>;
  /** The row's primary key property. */
  readonly key: keyof Row & string;
  /** The row an event concerns; `undefined` for events that change no row. */
  keyOf(event: RecordedEvent): string | undefined;
  /** Pure: the row after the event (`row` is `undefined` before the first one). */
  evolve(row: Row | undefined, event: RecordedEvent): Row | undefined;
  /**
   * Each row is the state of one stream (its key names the stream): a stream's first event
   * finds no row, so none is read for it.
   */
  readonly rowPerStream?: boolean;
}

/**
 * A projection where each event changes one row. A batch loads the rows it touches and
 * puts their new versions in place (`plan`), which the runner writes with the checkpoint
 * in one statement: catching up runs at the speed of the log read rather than of round
 * trips. The load leaves out the rows the runner remembers committing (`CommittedRows`)
 * and, with `rowPerStream`, the rows of streams the batch begins; a batch that needs none
 * reads nothing. It answers the row each stream of the batch left (`RowsByStream`).
 */
export function rowProjection<Row extends ObjectLiteral>(spec: RowProjectionSpec<Row>): Projection {
  const table = getMetadataArgsStorage().tables.find((entity) => entity.target === spec.entity)?.name;
  if (!table) throw new Error(`${spec.name}: its entity has no @Entity({ name }).`);
  const plan = async (events: readonly RecordedEvent[], read: ReadRows, committed?: CommittedRows): Promise<ProjectionPlan> => {
    const keyed = events.flatMap((event) => {
      const key = spec.keyOf(event);
      return key === undefined ? [] : [{ key, event }];
    });
    const current = new Map<string, Row | undefined>();
    const unknown = new Set<string>();
    for (const { key, event } of keyed) {
      if (current.has(key) || unknown.has(key)) continue;
      const remembered = committed?.get(key);
      if (remembered) current.set(key, remembered.row as Row | undefined);
      else if (spec.rowPerStream && event.revision === 0) current.set(key, undefined);
      else unknown.add(key);
    }
    if (unknown.size > 0) {
      for (const key of unknown) current.set(key, undefined);
      const found = await read((rows) => rows.getRepository(spec.entity).findBy({ [spec.key]: In([...unknown]) } as FindOptionsWhere<Row>));
      for (const row of found) current.set(String(row[spec.key]), row);
    }
    const touched = new Set<string>();
    for (const { key, event } of keyed) {
      const next = spec.evolve(current.get(key), event);
      if (next === current.get(key)) continue;
      current.set(key, next);
      touched.add(key);
    }
    const changed = [...touched].flatMap((key) => (current.get(key) ? [current.get(key)!] : []));
    // What the batch read and wrote is what its commit leaves (a row evolved to nothing is not deleted: the read one stays).
    for (const [key, row] of current) if (row !== undefined || !touched.has(key)) committed?.stage(key, row);
    const byStream = new Map<string, Row>();
    for (const { key, event } of keyed) {
      const row = current.get(key);
      if (row) byStream.set(event.streamName, row);
    }
    return { upserts: changed.length > 0 ? [{ entity: spec.entity, key: [spec.key], rows: changed }] : [], rows: byStream };
  };
  return {
    name: spec.name,
    tables: [table],
    schema: spec.schema,
    categories: spec.categories,
    plan,
    async apply(events: readonly RecordedEvent[], rows: EntityManager, committed?: CommittedRows): Promise<RowsByStream | undefined> {
      const planned = await plan(events, (read) => read(rows), committed);
      for (const { entity, key, rows: changed } of planned.upserts) await rows.getRepository(entity).upsert(changed as never, [...key]);
      return planned.rows;
    },
  };
}

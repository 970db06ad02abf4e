import { namedQuery, type GlobalPosition } from '@agora/event-sourcing';
import { SubscriptionInterrupted } from '@agora/messaging';
import { Fence } from '@agora/platform';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { RowUpserts } from './projection.js';

/** The checkpoint moved under the runner (a rebuild switched in, or another runner wrote). */
export class CheckpointMoved extends SubscriptionInterrupted {
  override readonly name = 'CheckpointMoved';
  constructor(name: string) {
    super(`The checkpoint of ${name} was moved by someone else; resuming from it.`);
  }
}

/**
 * Projection checkpoints, in the table of every subscriber's (`messaging.checkpoints`), written in the projection's own
 * transaction as a compare-and-set: a batch commits only if the checkpoint is still the
 * one it started from, so two runners (or a runner and a rebuild) never both apply it.
 * With a `fence` (the background work's), a batch also commits only while this instance
 * holds the work's lease (`Deposed` otherwise).
 */
export class ProjectionCheckpoints {
  constructor(
    private readonly dataSource: DataSource,
    private readonly fence?: Fence,
  ) {}

  async load(name: string): Promise<GlobalPosition | undefined> {
    const rows: { commit_position: string; prepare_position: string }[] = await this.dataSource.query(
      'SELECT commit_position, prepare_position FROM messaging.checkpoints WHERE name = $1',
      [name],
    );
    return rows[0] && { commit: Number(rows[0].commit_position), prepare: Number(rows[0].prepare_position) };
  }

  /**
   * Moves the checkpoint from `from` to `to`, puts `upserts` in place in `schema`, and points
   * the transaction's `search_path` at `schema`, all in one statement (a round trip per batch
   * counts under load): in `rows`' transaction, or, without it, as a transaction of its own.
   * Throws `CheckpointMoved`, and writes nothing, if the checkpoint is no longer at `from`:
   * the update waits for a concurrent writer of the row and then finds it changed.
   */
  async advance(
    rows: EntityManager | undefined,
    schema: string,
    name: string,
    from: GlobalPosition | undefined,
    to: GlobalPosition,
    upserts: readonly RowUpserts[] = [],
  ): Promise<void> {
    const searchPath = `${pg.escapeIdentifier(schema)}, public`;
    const write = from
      ? {
          sql: (fenced: string) => `UPDATE messaging.checkpoints SET commit_position = $2, prepare_position = $3, updated_at = now()
                WHERE name = $1 AND commit_position = $4 AND prepare_position = $5 ${fenced}
                RETURNING set_config('search_path', $6, true)`,
          params: [name, to.commit, to.prepare, from.commit, from.prepare, searchPath],
        }
      : {
          sql: (fenced: string) => `INSERT INTO messaging.checkpoints (name, commit_position, prepare_position) SELECT $1, $2, $3 WHERE true ${fenced}
                RETURNING set_config('search_path', $4, true)`,
          params: [name, to.commit, to.prepare, searchPath],
        };
    const params: unknown[] = [...write.params];
    const parts: string[] = [];
    if (this.fence) {
      parts.push(`fence AS (${Fence.lock(params.length + 1)})`);
      params.push(...this.fence.params());
    }
    parts.push(`written AS (${write.sql(this.fence ? 'AND EXISTS (SELECT FROM fence)' : '')})`);
    for (const [i, upsert] of upserts.entries()) {
      const { sql, rows: values } = this.upsert(schema, upsert);
      params.push(values);
      parts.push(`put${i} AS (${sql(params.length)})`);
    }
    // Whether the lease held, and whether the checkpoint moved; the rows go in only where it did.
    const text = `WITH ${parts.join(', ')} SELECT ${this.fence ? 'EXISTS (SELECT FROM fence)' : 'true'} AS held, EXISTS (SELECT FROM written) AS written`;
    let moved: boolean;
    const own = rows?.queryRunner === undefined;
    const runner = rows?.queryRunner ?? this.dataSource.createQueryRunner();
    try {
      // Once per batch of every projection: prepared once per connection.
      const client = (await runner.connect()) as pg.ClientBase;
      const { rows: records } = await client.query<{ held: boolean; written: boolean }>(namedQuery(text, params));
      const [outcome] = records;
      if (!outcome!.held) this.fence!.refused();
      moved = !outcome!.written;
    } catch (error) {
      // A first batch that another runner's first batch beat: the primary key refuses it.
      if ((error as { code?: string }).code !== '23505') throw error;
      moved = true;
    } finally {
      if (own) await runner.release();
    }
    if (moved) throw new CheckpointMoved(name);
  }

  /**
   * An upsert of rows as one statement part whose rows are the JSON parameter `$n`: each
   * row's columns as stored (transformers applied), read back by the table's own row type.
   */
  private upsert(schema: string, { entity, key, rows }: RowUpserts): { sql: (n: number) => string; rows: string } {
    const metadata = this.dataSource.getMetadata(entity);
    const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(metadata.tableName)}`;
    const columns = metadata.columns.map((column) => pg.escapeIdentifier(column.databaseName));
    const keys = key.map((property) => pg.escapeIdentifier(metadata.findColumnWithPropertyName(property)!.databaseName));
    const others = columns.filter((column) => !keys.includes(column));
    const values = rows.map((row) => Object.fromEntries(metadata.columns.map((column) => [column.databaseName, column.getEntityValue(row, true) ?? null])));
    const onConflict = others.length > 0 ? `DO UPDATE SET ${others.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}` : 'DO NOTHING';
    return {
      sql: (n) =>
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::${table}, $${n}::jsonb)
         WHERE EXISTS (SELECT FROM written) ON CONFLICT (${keys.join(', ')}) ${onConflict}`,
      rows: JSON.stringify(values),
    };
  }
}

/** Sets (or, with no position, removes) a checkpoint in `rows`' transaction, whatever it was: a rebuild handing over. */
export async function replaceCheckpoint(rows: EntityManager, name: string, position: GlobalPosition | undefined): Promise<void> {
  if (!position) {
    await rows.query('DELETE FROM messaging.checkpoints WHERE name = $1', [name]);
    return;
  }
  await rows.query(
    `INSERT INTO messaging.checkpoints (name, commit_position, prepare_position) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET commit_position = $2, prepare_position = $3, updated_at = now()`,
    [name, position.commit, position.prepare],
  );
}

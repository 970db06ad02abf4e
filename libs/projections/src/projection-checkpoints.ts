import type { GlobalPosition } from '@agora/event-sourcing';
import { SubscriptionInterrupted } from '@agora/messaging';
import { Fence, type BatchStatement } from '@agora/platform';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { runStatement } from './batch-statement.js';
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
   * Moves the checkpoint from `from` to `to` in `rows`' transaction, and points that
   * transaction's `search_path` at `schema`, in one statement (a round trip per batch
   * counts under load). Throws `CheckpointMoved` if the checkpoint is no longer at `from`:
   * the update waits for a concurrent writer of the row and then finds it changed.
   */
  async advance(rows: EntityManager, schema: string, name: string, from: GlobalPosition | undefined, to: GlobalPosition): Promise<void> {
    await runStatement(this.dataSource, this.move(schema, name, from, to), rows);
  }

  /**
   * The same move as a statement, which also puts `upserts` in place in `schema` where the
   * checkpoint moved: alone it needs no transaction, and other batches' statements may
   * join it (`runStatements`). It writes nothing where it throws.
   */
  move(schema: string, name: string, from: GlobalPosition | undefined, to: GlobalPosition, upserts: readonly RowUpserts[] = []): BatchStatement {
    return {
      part: (prefix, first) => {
        const params: unknown[] = [];
        const $ = (value: unknown) => `$${first + params.push(value) - 1}`;
        const ctes: string[] = [];
        let fenced = '';
        if (this.fence) {
          const at = first + params.length;
          params.push(...this.fence.params());
          ctes.push(`${prefix}fence AS (${Fence.lock(at)})`);
          fenced = `AND EXISTS (SELECT FROM ${prefix}fence)`;
        }
        const searchPath = `${pg.escapeIdentifier(schema)}, public`;
        ctes.push(
          from
            ? `${prefix}written AS (UPDATE messaging.checkpoints SET commit_position = ${$(to.commit)}, prepare_position = ${$(to.prepare)}, updated_at = now()
                 WHERE name = ${$(name)} AND commit_position = ${$(from.commit)} AND prepare_position = ${$(from.prepare)} ${fenced}
                 RETURNING set_config('search_path', ${$(searchPath)}, true))`
            : `${prefix}written AS (INSERT INTO messaging.checkpoints (name, commit_position, prepare_position) SELECT ${$(name)}, ${$(to.commit)}, ${$(to.prepare)} WHERE true ${fenced}
                 RETURNING set_config('search_path', ${$(searchPath)}, true))`,
        );
        // The rows go in only where the checkpoint moved.
        for (const [i, upsert] of upserts.entries()) ctes.push(`${prefix}put${i} AS (${this.upsert(schema, upsert, `${prefix}written`, $)})`);
        return {
          ctes,
          params,
          columns: [`${this.fence ? `EXISTS (SELECT FROM ${prefix}fence)` : 'true'} AS ${prefix}held`, `EXISTS (SELECT FROM ${prefix}written) AS ${prefix}written`],
          settle: (outcome) => {
            if ('error' in outcome) {
              // A first batch that another runner's first batch beat: the primary key refuses it.
              if ((outcome.error as { code?: string }).code === '23505') throw new CheckpointMoved(name);
              throw outcome.error;
            }
            if (!outcome.row[`${prefix}held`]) this.fence!.refused();
            if (!outcome.row[`${prefix}written`]) throw new CheckpointMoved(name);
          },
        };
      },
    };
  }

  /**
   * An upsert of rows, done only where `written` has a row: each row's columns as stored
   * (transformers applied), as one JSON parameter read back by the table's own row type.
   */
  private upsert(schema: string, { entity, key, rows }: RowUpserts, written: string, $: (value: unknown) => string): string {
    const metadata = this.dataSource.getMetadata(entity);
    const table = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(metadata.tableName)}`;
    const columns = metadata.columns.map((column) => pg.escapeIdentifier(column.databaseName));
    const keys = key.map((property) => pg.escapeIdentifier(metadata.findColumnWithPropertyName(property)!.databaseName));
    const others = columns.filter((column) => !keys.includes(column));
    const values = rows.map((row) => Object.fromEntries(metadata.columns.map((column) => [column.databaseName, column.getEntityValue(row, true) ?? null])));
    const onConflict = others.length > 0 ? `DO UPDATE SET ${others.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}` : 'DO NOTHING';
    return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM jsonb_populate_recordset(NULL::${table}, ${$(JSON.stringify(values))}::jsonb)
              WHERE EXISTS (SELECT FROM ${written}) ON CONFLICT (${keys.join(', ')}) ${onConflict}`;
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

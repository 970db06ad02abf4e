import { namedQuery, type GlobalPosition } from '@agora/event-sourcing';
import { SubscriptionInterrupted } from '@agora/messaging';
import { Fence } from '@agora/platform';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

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
    let moved: boolean;
    try {
      // Structured: TypeORM answers an UPDATE with [rows, count], not with the rows.
      // Once per batch of every projection: prepared once per connection, on the connection of the batch's transaction.
      const client = (await rows.queryRunner!.connect()) as pg.ClientBase;
      if (!this.fence) {
        moved = (await client.query(namedQuery(write.sql(''), write.params))).rows.length === 0;
      } else {
        // Still one statement: whether the lease held, and whether the checkpoint moved.
        const first = write.params.length + 1;
        const { rows: records } = await client.query<{ held: boolean; written: boolean }>(
          namedQuery(
            `WITH fence AS (${Fence.lock(first)}),
                  written AS (${write.sql('AND EXISTS (SELECT FROM fence)')})
             SELECT EXISTS (SELECT FROM fence) AS held, EXISTS (SELECT FROM written) AS written`,
            [...write.params, ...this.fence.params()],
          ),
        );
        const [outcome] = records;
        if (!outcome!.held) this.fence.refused();
        moved = !outcome!.written;
      }
    } catch (error) {
      // A first batch that another runner's first batch beat: the primary key refuses it.
      if ((error as { code?: string }).code !== '23505') throw error;
      moved = true;
    }
    if (moved) throw new CheckpointMoved(name);
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

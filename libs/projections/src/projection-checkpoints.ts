import { comparePositions, type GlobalPosition } from '@agora/event-sourcing';
import type { DataSource, EntityManager } from 'typeorm';

/** The checkpoint moved under the runner (a rebuild switched in, or another runner wrote). */
export class CheckpointMoved extends Error {
  constructor(name: string) {
    super(`The checkpoint of ${name} was moved by someone else; resuming from it.`);
  }
}

/**
 * Projection checkpoints in `projections.checkpoints`, written in the projection's own
 * transaction as a compare-and-set: a batch commits only if the checkpoint is still the
 * one it started from, so two runners (or a runner and a rebuild) never both apply it.
 */
export class ProjectionCheckpoints {
  constructor(private readonly dataSource: DataSource) {}

  async load(name: string): Promise<GlobalPosition | undefined> {
    const rows: { commit_position: string; prepare_position: string }[] = await this.dataSource.query(
      'SELECT commit_position, prepare_position FROM projections.checkpoints WHERE name = $1',
      [name],
    );
    return rows[0] && { commit: Number(rows[0].commit_position), prepare: Number(rows[0].prepare_position) };
  }

  /** Moves the checkpoint from `from` to `to` in `rows`' transaction; throws `CheckpointMoved` if it is no longer at `from`. */
  async advance(rows: EntityManager, name: string, from: GlobalPosition | undefined, to: GlobalPosition): Promise<void> {
    const [current]: { commit_position: string; prepare_position: string }[] = await rows.query(
      'SELECT commit_position, prepare_position FROM projections.checkpoints WHERE name = $1 FOR UPDATE',
      [name],
    );
    const at = current && { commit: Number(current.commit_position), prepare: Number(current.prepare_position) };
    if (!samePosition(at, from)) throw new CheckpointMoved(name);
    if (at) {
      await rows.query('UPDATE projections.checkpoints SET commit_position = $2, prepare_position = $3, updated_at = now() WHERE name = $1', [name, to.commit, to.prepare]);
    } else {
      // A first batch racing another: the primary key lets only one of them in.
      await rows.query('INSERT INTO projections.checkpoints (name, commit_position, prepare_position) VALUES ($1, $2, $3)', [name, to.commit, to.prepare]);
    }
  }
}

function samePosition(a: GlobalPosition | undefined, b: GlobalPosition | undefined): boolean {
  return a === undefined || b === undefined ? a === b : comparePositions(a, b) === 0;
}

/** Sets (or, with no position, removes) a checkpoint in `rows`' transaction, whatever it was: a rebuild handing over. */
export async function replaceCheckpoint(rows: EntityManager, name: string, position: GlobalPosition | undefined): Promise<void> {
  if (!position) {
    await rows.query('DELETE FROM projections.checkpoints WHERE name = $1', [name]);
    return;
  }
  await rows.query(
    `INSERT INTO projections.checkpoints (name, commit_position, prepare_position) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET commit_position = $2, prepare_position = $3, updated_at = now()`,
    [name, position.commit, position.prepare],
  );
}

import { namedQuery, type GlobalPosition } from '@agora/event-sourcing';
import { Fence } from '@agora/platform';
import pg from 'pg';

/** Where a subscriber remembers the last event it has fully handled. */
export interface CheckpointStore {
  load(name: string): Promise<GlobalPosition | undefined>;
  save(name: string, position: GlobalPosition): Promise<void>;
}

export const CHECKPOINT_STORE = Symbol('CheckpointStore');

/**
 * Checkpoints in PostgreSQL, table `messaging.checkpoints`. With a `fence` (the background
 * work's), every save is fenced: it fails with `Deposed` once another instance has taken
 * the work over, and nothing is written.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly fence?: Fence,
  ) {}

  async load(name: string): Promise<GlobalPosition | undefined> {
    const { rows } = await this.pool.query<{ commit_position: string; prepare_position: string }>(
      'SELECT commit_position, prepare_position FROM messaging.checkpoints WHERE name = $1',
      [name],
    );
    return rows[0] && { commit: Number(rows[0].commit_position), prepare: Number(rows[0].prepare_position) };
  }

  /** Saves in a statement of its own; a statement that also writes other rows takes `checkpointUpsert`. */
  async save(name: string, position: GlobalPosition): Promise<void> {
    const values = [name, position.commit, position.prepare];
    if (!this.fence) {
      await this.pool.query(namedQuery(checkpointUpsert(1), values));
      return;
    }
    const { rowCount } = await this.pool.query(namedQuery(checkpointUpsert(1, Fence.condition(4)), [...values, ...this.fence.params()]));
    if (rowCount === 0) this.fence.refused();
  }
}

const UPSERT = 'ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position, updated_at = now()';

/**
 * A checkpoint save inside a statement of the caller's own, with the name and the
 * position's two parts at `$first`, `$first + 1` and `$first + 2`; a null name saves
 * nothing, nor does a false `condition` (the caller's fence, say).
 */
export function checkpointUpsert(first: number, condition = 'true'): string {
  return `INSERT INTO messaging.checkpoints (name, commit_position, prepare_position)
          SELECT $${first}::text, $${first + 1}::bigint, $${first + 2}::bigint WHERE $${first}::text IS NOT NULL AND ${condition} ${UPSERT}`;
}

/**
 * A stream's folded state as of a revision, kept to shorten the read of a long stream.
 * Snapshots are a cache: the events stay the truth, and deleting every snapshot changes
 * nothing but how long the first command on a stream takes.
 */
export interface Snapshot {
  readonly streamName: string;
  /** Revision of the last event folded into `state`. */
  readonly revision: number;
  /** Version of the state's shape (`SnapshotPolicy.version`) it was written with. */
  readonly version: number;
  /** The state as `SnapshotPolicy.toJSON` made it. */
  readonly state: unknown;
}

/** Where snapshots live. Implemented by `PostgresSnapshotStore`. */
export interface SnapshotStore {
  /** The latest snapshot of a stream, if there is one. */
  load(streamName: string): Promise<Snapshot | undefined>;
  /** Keeps `snapshot` as the stream's latest, unless a snapshot of a later revision is already there. */
  save(snapshot: Snapshot): Promise<void>;
}

/** Nest injection token for the `SnapshotStore` port (optional: without one, streams are folded from the start). */
export const SNAPSHOT_STORE = Symbol('SnapshotStore');

import type { EventStore, GlobalPosition } from '@agora/event-sourcing';
import type { ParkedEvents } from '@agora/messaging';
import type { Fence, StatementRunner } from '@agora/platform';
import type { DataSource } from 'typeorm';
import type { Projection } from './projection.js';
import { ProjectionChanges, type ChangeWatch } from './projection-changes.js';
import { ProjectionCheckpoints } from './projection-checkpoints.js';
import { ProjectionRunner, type ProjectionStatus } from './projection-runner.js';
import { SharedTransactions } from './shared-transactions.js';

/** Nest injection token for the process's `Projections`. */
export const PROJECTIONS = Symbol('Projections');

/**
 * Nest injection token of the read side's `StatementRunner`: where another subscriber
 * writing to the read models' database hands its batch statements, to share the
 * projections' round trips.
 */
export const READ_SIDE_STATEMENTS = Symbol('ReadSideStatements');

/**
 * What a command endpoint needs from the read side: to answer only once the read model
 * shows the write, so a client that reads right after it finds what it wrote.
 */
export interface ReadYourWrites {
  /** `true` once `projection` includes `position`; `false` after `timeoutMs` (the write still happened). */
  waitFor(projection: string, position: GlobalPosition | undefined, timeoutMs?: number): Promise<boolean>;
}

/**
 * What a long-poll needs from the read side: to learn that a read model may have changed
 * instead of reading it again and again.
 */
export interface ReadModelChanges {
  /**
   * Watches `projection` for its next committed batches (see `ProjectionChanges.watch`):
   * open it before reading the rows it guards, close it when done.
   */
  watch<Row = unknown>(projection: string, stream?: string): ChangeWatch<Row>;
}

export interface ProjectionsOptions {
  /** Longest a command endpoint waits for its projection. Default 5 s. */
  readonly waitTimeoutMs?: number;
  /** How often a standby instance reads a watched projection's checkpoint. Default 100 ms. */
  readonly standbyWatchMs?: number;
  readonly onError?: (error: unknown, projection: string) => void;
  /** Where an event a projection cannot apply is parked; without it, it is tried until it applies. */
  readonly parked?: ParkedEvents;
  /** The background work's fence: every batch commits only under it. */
  readonly fence?: Fence;
}

/**
 * The projections a process keeps up to date, one runner each; their batches share
 * transactions (`SharedTransactions`), all of them being in one database.
 */
export class Projections implements ReadYourWrites, ReadModelChanges {
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly changes = new Map<string, ProjectionChanges>();
  private readonly byName: ReadonlyMap<string, Projection>;
  /** The runners' shared transactions, open to other subscribers' batch statements on the same database. */
  readonly statements: StatementRunner;

  constructor(
    dataSource: DataSource,
    store: EventStore,
    projections: readonly Projection[],
    private readonly options: ProjectionsOptions = {},
  ) {
    this.byName = new Map(projections.map((projection) => [projection.name, projection]));
    const checkpoints = new ProjectionCheckpoints(dataSource);
    const transactions = new SharedTransactions(dataSource);
    this.statements = transactions;
    for (const projection of projections) {
      const changes = new ProjectionChanges({ checkpoint: () => checkpoints.load(projection.name), intervalMs: options.standbyWatchMs ?? 100 });
      this.changes.set(projection.name, changes);
      this.runners.set(
        projection.name,
        new ProjectionRunner(dataSource, store, projection, {
          onError: (error, name) => {
            changes.forget();
            options.onError?.(error, name);
          },
          ...(options.parked && { parked: options.parked }),
          ...(options.fence && { fence: options.fence }),
          transactions,
          onCommitted: (events, rows) => changes.committed(events, rows),
        }),
      );
    }
  }

  get names(): string[] {
    return [...this.runners.keys()];
  }

  /** The projection of that name kept here, for a rebuild. */
  projection(name: string): Projection | undefined {
    return this.byName.get(name);
  }

  start(): void {
    for (const runner of this.runners.values()) runner.start();
    for (const changes of this.changes.values()) changes.setLocal(true);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    for (const changes of this.changes.values()) changes.setLocal(false);
  }

  waitFor(projection: string, position: GlobalPosition | undefined, timeoutMs = this.options.waitTimeoutMs ?? 5000): Promise<boolean> {
    const runner = this.runners.get(projection);
    if (!runner) throw new Error(`There is no projection ${projection} in this process.`);
    return position ? runner.waitFor(position, timeoutMs) : Promise.resolve(true);
  }

  watch<Row = unknown>(projection: string, stream?: string): ChangeWatch<Row> {
    const changes = this.changes.get(projection);
    if (!changes) throw new Error(`There is no projection ${projection} in this process.`);
    return changes.watch(stream) as ChangeWatch<Row>;
  }

  /** How many watches of `projection` are open. */
  watching(projection: string): number {
    return this.changes.get(projection)?.size ?? 0;
  }

  /** Each projection's checkpoint and lag; `countLimit` caps the events counted. */
  statuses(countLimit?: number): Promise<ProjectionStatus[]> {
    return Promise.all([...this.runners.values()].map((runner) => runner.status(countLimit)));
  }
}

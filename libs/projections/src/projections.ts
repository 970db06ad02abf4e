import type { EventStore, GlobalPosition } from '@agora/event-sourcing';
import type { ParkedEvents } from '@agora/messaging';
import type { DataSource } from 'typeorm';
import type { Projection } from './projection.js';
import { ProjectionRunner, type ProjectionStatus } from './projection-runner.js';

/** Nest injection token for the process's `Projections`. */
export const PROJECTIONS = Symbol('Projections');

/**
 * What a command endpoint needs from the read side: to answer only once the read model
 * shows the write, so a client that reads right after it finds what it wrote.
 */
export interface ReadYourWrites {
  /** `true` once `projection` includes `position`; `false` after `timeoutMs` (the write still happened). */
  waitFor(projection: string, position: GlobalPosition | undefined, timeoutMs?: number): Promise<boolean>;
}

/** The projections a process keeps up to date, one runner each. */
export class Projections implements ReadYourWrites {
  private readonly runners: Map<string, ProjectionRunner>;

  constructor(
    dataSource: DataSource,
    store: EventStore,
    projections: readonly Projection[],
    private readonly options: {
      readonly waitTimeoutMs?: number;
      readonly onError?: (error: unknown, projection: string) => void;
      readonly parked?: ParkedEvents;
    } = {},
  ) {
    this.runners = new Map(
      projections.map((projection) => [
        projection.name,
        new ProjectionRunner(dataSource, store, projection, { ...(options.onError && { onError: options.onError }), ...(options.parked && { parked: options.parked }) }),
      ]),
    );
  }

  get names(): string[] {
    return [...this.runners.keys()];
  }

  start(): void {
    for (const runner of this.runners.values()) runner.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }

  waitFor(projection: string, position: GlobalPosition | undefined, timeoutMs = this.options.waitTimeoutMs ?? 5000): Promise<boolean> {
    const runner = this.runners.get(projection);
    if (!runner) throw new Error(`There is no projection ${projection} in this process.`);
    return position ? runner.waitFor(position, timeoutMs) : Promise.resolve(true);
  }

  /** Each projection's checkpoint and lag; `countLimit` caps the events counted. */
  statuses(countLimit?: number): Promise<ProjectionStatus[]> {
    return Promise.all([...this.runners.values()].map((runner) => runner.status(countLimit)));
  }
}

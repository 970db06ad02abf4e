import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { PROJECTIONS, rebuildProjection, type Projections } from '@agora/projections';
import { DataSource } from 'typeorm';

/** A rebuild this instance ran or runs: where it is, or how it ended. */
export interface RebuildState {
  readonly state: 'running' | 'done' | 'failed';
  readonly startedAt: Date;
  readonly finishedAt?: Date;
  readonly events: number;
  /** Share of the log read, 0 to 1. */
  readonly fraction: number;
  readonly eventsPerSecond: number;
  readonly etaSeconds?: number;
  readonly error?: string;
}

/** There is no projection of that name here. */
export class UnknownProjection extends Error {
  override readonly name = 'UnknownProjection';
  constructor(name: string, known: readonly string[]) {
    super(`There is no projection ${name}. Projections: ${known.join(', ')}`);
  }
}

/**
 * Rebuilds the projections of this instance on demand (the operations API), in the
 * background while the live tables keep serving (`rebuildProjection`), and remembers how
 * the last rebuild of each went for whoever asks here.
 */
@Injectable()
export class ProjectionRebuilds {
  private readonly logger = new Logger('Rebuild');
  private readonly states = new Map<string, RebuildState>();

  constructor(
    private readonly readModels: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTIONS) private readonly projections: Projections,
  ) {}

  stateOf(name: string): RebuildState | undefined {
    return this.states.get(name);
  }

  /**
   * Starts rebuilding `name`; resolves once it has begun, rejects with `RebuildUnderWay`
   * when a rebuild of its schema is under way (here or in another process), with
   * `UnknownProjection` for a name not kept here.
   */
  start(name: string): Promise<RebuildState> {
    const projection = this.projections.projection(name);
    if (!projection) return Promise.reject(new UnknownProjection(name, this.projections.names));
    const startedAt = new Date();
    return new Promise((begun, refused) => {
      let started = false;
      rebuildProjection(this.readModels, this.store, projection, {
        onStarted: () => {
          started = true;
          this.states.set(name, { state: 'running', startedAt, events: 0, fraction: 0, eventsPerSecond: 0 });
          this.logger.log(`Rebuilding ${name}`);
          begun(this.states.get(name)!);
        },
        onProgress: ({ events, fraction, eventsPerSecond, etaSeconds }) =>
          this.states.set(name, { state: 'running', startedAt, events, fraction, eventsPerSecond, ...(etaSeconds !== undefined && { etaSeconds }) }),
      }).then(
        ({ events, seconds }) => {
          this.states.set(name, { state: 'done', startedAt, finishedAt: new Date(), events, fraction: 1, eventsPerSecond: events / Math.max(seconds, 0.001) });
          this.logger.log(`${name} rebuilt: ${events} events in ${seconds.toFixed(1)} s, switched to the new tables`);
        },
        (error: unknown) => {
          if (!started) return refused(error);
          const message = error instanceof Error ? error.message : String(error);
          const last = this.states.get(name);
          this.states.set(name, { state: 'failed', startedAt, finishedAt: new Date(), events: last?.events ?? 0, fraction: last?.fraction ?? 0, eventsPerSecond: 0, error: message });
          this.logger.error(`The rebuild of ${name} failed, the live tables serve on: ${message}`);
        },
      );
    });
  }
}

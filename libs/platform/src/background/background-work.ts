import { Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import type { Fence } from '../database/fence.js';
import { SingleActive, type SingleActiveWork } from '../database/single-active.js';

/** Nest injection token for the process's `BackgroundWork`. */
export const BACKGROUND_WORK = Symbol('BackgroundWork');

/**
 * The work of a host that must not run twice at once: relays, projections, the saga's
 * feed and deadlines, the payment processor. Providers add theirs when they are
 * created; it starts once every module is initialised, in the one instance of the app
 * that holds the lease `agora:<app>`, and moves to a standby when that instance dies or
 * loses the lease. The work writes its checkpoints under `fence`, so that an instance
 * replaced while it was paused or cut off cannot write after its successor has started.
 * Request handling and Kafka consumers run in every instance.
 */
export class BackgroundWork implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('BackgroundWork');
  private readonly works: { readonly name: string; readonly work: SingleActiveWork }[] = [];
  private readonly lock: SingleActive;

  constructor(pool: pg.Pool, app: string, options: { readonly leaseMs?: number } = {}) {
    this.lock = new SingleActive(
      pool,
      `agora:${app}`,
      {
        start: async () => {
          for (const { work } of this.works) await work.start();
        },
        stop: async () => {
          await Promise.all(this.works.map(({ name, work }) => work.stop().catch((error: unknown) => this.logger.error(`${name} did not stop cleanly: ${describe(error)}`))));
        },
      },
      {
        ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
        onChange: (active) => this.logger.log(active ? `Active: running ${this.names.join(', ') || 'nothing'}` : 'Standing by'),
        onError: (error) => this.logger.warn(`The lock could not be checked and is tried again: ${describe(error)}`),
      },
    );
  }

  get names(): string[] {
    return this.works.map(({ name }) => name);
  }

  /** What the work's writes are fenced with: the lease of this instance, while it holds it. */
  get fence(): Fence {
    return this.lock.fence;
  }

  /** Whether this instance runs the work now. */
  get active(): boolean {
    return this.lock.active;
  }

  add(name: string, work: SingleActiveWork): void {
    this.works.push({ name, work });
  }

  onModuleInit(): void {
    this.lock.start();
  }

  // Before any module closes what the work uses (the read side's data source, the pool).
  async beforeApplicationShutdown(): Promise<void> {
    await this.lock.stop();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

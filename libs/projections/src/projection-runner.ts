import { setTimeout as sleep } from 'node:timers/promises';
import { comparePositions, type EventStore, type GlobalPosition, type RecordedEvent } from '@agora/event-sourcing';
import { EventStoreConsumer, logLag, type ParkedEvents } from '@agora/messaging';
import type { Fence } from '@agora/platform';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { CommittedRows, type Projection, type ReadRows, type RowsByStream } from './projection.js';
import { runStatement } from './batch-statement.js';
import { ProjectionCheckpoints } from './projection-checkpoints.js';
import type { SharedTransactions, TransactionWork } from './shared-transactions.js';

export interface ProjectionRunnerOptions {
  /** Events per transaction while catching up. Default 500. */
  readonly maxBatchSize?: number;
  /** Where the rows go instead of the projection's schema (a rebuild). */
  readonly schema?: string;
  /** The checkpoint's name instead of the projection's (a rebuild). */
  readonly checkpointName?: string;
  readonly onError?: (error: unknown, projection: string) => void;
  /** Where an event the projection cannot apply is parked (see `EventStoreConsumer`). */
  readonly parked?: ParkedEvents;
  /** Where its batches share transactions with other projections' (`SharedTransactions`); each has its own without. */
  readonly transactions?: SharedTransactions;
  /** Told of each batch once it is committed, with the rows it left when the projection tells them; must not throw. */
  readonly onCommitted?: (events: readonly RecordedEvent[], rows: RowsByStream | undefined) => void;
  /** The background work's fence: a batch commits only under it. */
  readonly fence?: Fence;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly checkpoint: GlobalPosition | undefined;
  readonly head: GlobalPosition | undefined;
  /** Events of its categories not applied yet, counted up to the limit asked for. */
  readonly lagEvents: number;
  /** How long the oldest event not applied yet has been waiting; 0 when caught up. */
  readonly lagMs: number;
}

/** How often a standby instance looks at the checkpoint while a request waits for it. */
const STANDBY_POLL_MS = 20;

/**
 * Keeps one projection up to date: follows its categories from its checkpoint and applies
 * each batch in one transaction with the checkpoint (`search_path` set to its schema).
 * A crash mid-batch rolls the batch back, so the restart applies it once; a checkpoint
 * moved by someone else (a rebuild switching in) makes it resume from there.
 */
export class ProjectionRunner {
  private readonly consumer: EventStoreConsumer;
  private readonly checkpoints: ProjectionCheckpoints;
  private readonly checkpointName: string;
  private readonly schema: string;
  /** The checkpoint as this runner last read or wrote it. */
  private committed: GlobalPosition | undefined;
  private waiters: { position: GlobalPosition; resolve: (reached: boolean) => void }[] = [];
  private running = false;
  private readonly onCommitted: ProjectionRunnerOptions['onCommitted'];
  private readonly transactions: SharedTransactions | undefined;
  /** The rows this runner committed since it last resumed from its checkpoint. */
  private readonly rows = new CommittedRows();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    this.checkpoints = new ProjectionCheckpoints(dataSource, options.fence);
    this.checkpointName = options.checkpointName ?? projection.name;
    this.schema = options.schema ?? projection.schema;
    this.onCommitted = options.onCommitted;
    this.transactions = options.transactions;
    const tracked = {
      load: async (name: string) => {
        // Resuming (a start, a failure, a moved checkpoint): what was written meanwhile is not known here.
        this.rows.clear();
        return (this.committed = await this.checkpoints.load(name));
      },
      save: () => Promise.reject(new Error('A projection moves its checkpoint inside its own transaction.')),
    };
    this.consumer = new EventStoreConsumer(
      store,
      tracked,
      {
        name: this.checkpointName,
        categories: projection.categories,
        savesCheckpoint: false,
        maxBatchSize: options.maxBatchSize ?? 500,
        ...(options.onError && { onError: options.onError }),
        ...(options.parked && { parked: options.parked }),
      },
      (events, through) => (through ? this.applyBatch(events, through) : this.retryParked(events)),
    );
  }

  get name(): string {
    return this.projection.name;
  }

  /** The position up to which the read model is committed. */
  get position(): GlobalPosition | undefined {
    return this.committed;
  }

  start(): void {
    this.running = true;
    this.consumer.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.stop();
    for (const waiter of this.waiters.splice(0)) waiter.resolve(false);
  }

  /**
   * Resolves `true` once the read model includes the event at `position` (read your own
   * writes), `false` if that takes longer than `timeoutMs`.
   */
  waitFor(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    if (this.committed && comparePositions(this.committed, position) >= 0) return Promise.resolve(true);
    if (!this.running) return this.pollFor(position, timeoutMs);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** In a standby instance, where another instance runs the projection: watches the checkpoint. */
  private async pollFor(position: GlobalPosition, timeoutMs: number): Promise<boolean> {
    for (const deadline = Date.now() + timeoutMs; ; await sleep(STANDBY_POLL_MS)) {
      const checkpoint = await this.checkpoints.load(this.checkpointName);
      if (checkpoint && comparePositions(checkpoint, position) >= 0) return true;
      if (Date.now() >= deadline) return false;
    }
  }

  async status(countLimit?: number): Promise<ProjectionStatus> {
    const checkpoint = await this.checkpoints.load(this.checkpointName);
    return projectionStatus(this.store, this.projection, checkpoint, countLimit);
  }

  /**
   * Applies the events and moves the checkpoint to `to` in one transaction (the events of
   * parked streams are left out, the checkpoint passes them), which other projections'
   * batches may share. Where the projection plans its writes, they and the checkpoint are
   * one statement, which needs no transaction and which other batches' statements join.
   */
  private async applyBatch(events: readonly RecordedEvent[], to: GlobalPosition): Promise<void> {
    const from = this.committed;
    let written: RowsByStream | undefined;
    try {
      if (this.projection.plan) {
        const plan = events.length > 0 ? await this.projection.plan(events, this.readRows, this.rows) : undefined;
        written = plan?.rows;
        const statement = this.checkpoints.move(this.schema, this.checkpointName, from, to, plan?.upserts);
        await (this.transactions ? this.transactions.run(statement) : runStatement(this.dataSource, statement));
      } else {
        const work: TransactionWork = async (rows) => {
          this.rows.discard(); // a shared transaction that failed runs its batches again, each alone
          await this.checkpoints.advance(rows, this.schema, this.checkpointName, from, to);
          if (events.length > 0) written = (await this.projection.apply(events, rows, this.rows)) ?? undefined;
        };
        await (this.transactions ? this.transactions.run(work) : this.dataSource.transaction(work));
      }
    } catch (error) {
      this.rows.discard();
      throw error;
    }
    this.rows.commit();
    this.committed = to;
    this.waiters = this.waiters.filter((waiter) => {
      if (comparePositions(to, waiter.position) < 0) return true;
      waiter.resolve(true);
      return false;
    });
    this.onCommitted?.(events, written);
  }

  /** Reads of a plan: in a transaction whose `search_path` is the schema written to. */
  private readonly readRows: ReadRows = (read) =>
    this.dataSource.transaction(async (rows) => {
      await this.inSchema(rows);
      return read(rows);
    });

  private async inSchema(rows: EntityManager): Promise<void> {
    await rows.query("SELECT set_config('search_path', $1, true)", [`${pg.escapeIdentifier(this.schema)}, public`]);
  }

  /**
   * Parked events tried again: they lie behind the checkpoint, which stays where it is.
   * They leave the shelf in the transaction of their rows, so a crash can neither apply
   * one twice nor lose it.
   */
  private async retryParked(events: readonly RecordedEvent[]): Promise<void> {
    let written: RowsByStream | undefined;
    try {
      await this.dataSource.transaction(async (rows) => {
        this.rows.discard();
        await this.inSchema(rows);
        written = (await this.projection.apply(events, rows, this.rows)) ?? undefined;
        for (const { position } of events) {
          await rows.query('DELETE FROM messaging.parked_events WHERE subscriber = $1 AND commit_position = $2 AND prepare_position = $3', [
            this.checkpointName,
            position.commit,
            position.prepare,
          ]);
        }
      });
    } catch (error) {
      this.rows.discard();
      throw error;
    }
    this.rows.commit();
    this.onCommitted?.(events, written);
  }
}

/** Where a projection stands against the head of the log. */
export async function projectionStatus(
  store: EventStore,
  projection: Projection,
  checkpoint: GlobalPosition | undefined,
  countLimit = 10_000,
): Promise<ProjectionStatus> {
  const [head, lag] = await Promise.all([store.headPosition(), logLag(store, projection.categories, checkpoint, countLimit)]);
  return { name: projection.name, checkpoint, head, lagEvents: lag.events, lagMs: lag.ms };
}

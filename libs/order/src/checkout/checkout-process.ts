import { Logger } from '@nestjs/common';
import type { EventStore } from '@agora/event-sourcing';
import { PostgresCheckpointStore, PostgresParkedEvents, type EventStoreConsumer } from '@agora/messaging';
import { DeadlineScheduler, SagaMetrics, type SagaDefinition, type SagaInput, type SagaRuntime } from '@agora/saga';
import type { Fence, StatementRunner } from '@agora/platform';
import type pg from 'pg';
import { checkoutFeed } from './checkout-feed.js';
import type { CheckoutSaga } from './checkout-saga.js';

export interface CheckoutProcessOptions {
  /** How often due deadlines are looked for. Default 100 ms. */
  readonly deadlinePollMs?: number;
  /** The background work's fence, that the feed's and the deadlines' checkpoints are saved under. */
  readonly fence?: Fence;
  /** Where the deadlines' batches share a statement with the read side's (same database); each alone without. */
  readonly deadlineStatements?: StatementRunner;
}

/**
 * The running part of the checkout: the feed of order events into the saga and the
 * scheduler of its deadlines, which resume from what PostgreSQL remembers, so a restarted
 * host, or a standby instance taking over, picks up every checkout where it was; and the
 * count of its outcomes (`SagaMetrics`). The host runs it as background work
 * (`BackgroundWork`), in one instance at a time.
 */
export class CheckoutProcess {
  private readonly logger = new Logger('Checkout');
  private feed: EventStoreConsumer | undefined;
  private scheduler: DeadlineScheduler | undefined;
  private metrics: SagaMetrics | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly runtime: SagaRuntime,
    private readonly saga: CheckoutSaga,
    private readonly options: CheckoutProcessOptions = {},
  ) {}

  start(): void {
    if (this.feed) return;
    const onError = (error: unknown, where: string) =>
      this.logger.error(`The checkout ${where} failed and retries: ${error instanceof Error ? error.message : String(error)}`);
    this.feed = checkoutFeed(this.store, new PostgresCheckpointStore(this.pool, this.options.fence), this.runtime, this.saga, {
      parked: new PostgresParkedEvents(this.pool),
      onError: (error) => onError(error, 'feed'),
    });
    this.scheduler = new DeadlineScheduler(this.pool, this.store, this.runtime, [this.saga as SagaDefinition<unknown, SagaInput>], {
      ...(this.options.deadlinePollMs !== undefined && { pollMs: this.options.deadlinePollMs }),
      ...(this.options.fence && { fence: this.options.fence }),
      ...(this.options.deadlineStatements && { statements: this.options.deadlineStatements }),
      onError: (error) => onError(error, 'deadlines'),
    });
    this.metrics = new SagaMetrics(this.store, [this.saga as SagaDefinition<unknown, SagaInput>]);
    this.feed.start();
    this.scheduler.start();
    void this.metrics.start().catch((error: unknown) => onError(error, 'metrics'));
  }

  async stop(): Promise<void> {
    const [feed, scheduler, metrics] = [this.feed, this.scheduler, this.metrics];
    this.feed = this.scheduler = this.metrics = undefined;
    await Promise.all([feed?.stop(), scheduler?.stop(), metrics?.stop()]);
  }
}

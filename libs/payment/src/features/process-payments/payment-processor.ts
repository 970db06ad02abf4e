import { Logger } from '@nestjs/common';
import { causedBy, CommandHandler, KeyedQueue, streamName, type EventMetadata, type EventStore, type GlobalPosition, type RecordedEvent } from '@agora/event-sourcing';
import { EventStoreConsumer, WatermarkCheckpoint, type CheckpointStore, type ParkedEvents } from '@agora/messaging';
import { inSpan } from '@agora/platform';
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { isPaymentEvent, paymentDecider, pendingWork, type PaymentEventType } from '../../domain/payment.js';
import type { PaymentGateway } from '../../gateway/payment-gateway.js';

export interface PaymentProcessorOptions {
  /** Name of the checkpoint. Default `payment.charges`. */
  readonly checkpointName?: string;
  /** Most orders at work at once (each makes one gateway call at a time); reading waits for a free slot. Default 32. */
  readonly maxInFlight?: number;
  /** First pause before asking again after a failed gateway call or append; it grows, with jitter, up to 5 s. Default 100 ms. */
  readonly retryDelayMs?: number;
  readonly commandHandler?: CommandHandler;
  readonly parked?: ParkedEvents;
}

/**
 * Events after which an order may have gateway work to do. Not a capture: the work that
 * records one goes on until none is left (`settleOnce`), so a refund asked for while the
 * charge was pending is done by the same work; after a crash, the request before the
 * capture is read again (the checkpoint stays before it until its work is done).
 */
const TRIGGERS = new Set<PaymentEventType>(['payment.charge-requested.v1', 'payment.refund-requested.v1']);
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Talks to the payment gateway outside the message delivery path: it follows the
 * `payment` streams from its checkpoint and, for every order with a requested charge or a
 * refund due, calls the gateway and records the answer. Calls for different orders run
 * concurrently, at most `maxInFlight` at once, so a gateway that never answers one order
 * holds up only that order; and an order whose call failed (timed out) waits for its next
 * try without a slot, so that such orders cannot hold up the others either.
 *
 * It reads the log like every subscriber does (`EventStoreConsumer`), and keeps a
 * checkpoint of its own making: a low watermark that never passes an event whose work is
 * not recorded yet (it stays just before the oldest one in flight), so after a crash that
 * work is done again: with the same idempotency keys, so the gateway charges once, and
 * through the decider, which records each answer once. The host runs it as background
 * work (`BackgroundWork`), in one instance of the app at a time.
 */
export class PaymentProcessor {
  private readonly logger = new Logger(PaymentProcessor.name);
  private consumer: EventStoreConsumer | undefined;
  /** The work since the consumer last (re)subscribed from the checkpoint. */
  private run: ProcessorRun | undefined;
  private readonly settings: Required<Omit<PaymentProcessorOptions, 'commandHandler' | 'parked'>> & { commands: CommandHandler };

  constructor(
    private readonly store: EventStore,
    private readonly gateway: PaymentGateway,
    private readonly checkpoints: CheckpointStore,
    private readonly options: PaymentProcessorOptions = {},
  ) {
    this.settings = {
      checkpointName: options.checkpointName ?? 'payment.charges',
      maxInFlight: options.maxInFlight ?? 32,
      retryDelayMs: options.retryDelayMs ?? 100,
      commands: options.commandHandler ?? new CommandHandler(store),
    };
  }

  /** Resumes from the checkpoint. */
  start(): void {
    if (this.consumer) return;
    // Each (re)subscription starts a fresh run from the saved watermark; the last one's work is abandoned, and done again.
    const resuming: CheckpointStore = {
      load: async (name) => {
        const after = await this.checkpoints.load(name);
        this.run?.abandon();
        this.run = new ProcessorRun(this.gateway, this.checkpoints, this.settings, this.logger, after);
        return after;
      },
      save: () => Promise.reject(new Error('The payment processor saves its own watermark.')),
    };
    this.consumer = new EventStoreConsumer(
      this.store,
      resuming,
      {
        name: this.settings.checkpointName,
        categories: ['payment'],
        savesCheckpoint: false,
        ...(this.options.parked && { parked: this.options.parked }),
        onError: (error) => this.logger.warn(`The payment subscription failed (${describe(error)}); resuming from the checkpoint.`),
      },
      (events) => this.run!.accept(events),
    );
    this.consumer.start();
  }

  /**
   * Stops following the store. Gateway calls still on their way are abandoned, not
   * awaited (one may never answer): their answers are not recorded and the checkpoint
   * stays before them, so the next start asks again.
   */
  async stop(): Promise<void> {
    const [consumer, run] = [this.consumer, this.run];
    this.consumer = this.run = undefined;
    run?.abandon();
    await consumer?.stop();
  }
}

/** The work of one subscription, from a checkpoint until it is abandoned. */
class ProcessorRun {
  private active = true;
  private readonly progress: WatermarkCheckpoint;
  /** One order's calls go one after another; an order done, or waiting to ask again, frees a slot. */
  private readonly orders = new KeyedQueue();
  /** Asks again for an order whose gateway call or append failed, with backoff and jitter, until this run is abandoned. */
  private readonly retries: RetryPolicy;

  constructor(
    private readonly gateway: PaymentGateway,
    checkpoints: CheckpointStore,
    private readonly settings: { checkpointName: string; maxInFlight: number; retryDelayMs: number; commands: CommandHandler },
    private readonly logger: Logger,
    after: GlobalPosition | undefined,
  ) {
    // Not fatal: a later save catches up, and an older checkpoint only means more replay.
    this.progress = new WatermarkCheckpoint(checkpoints, settings.checkpointName, after, (error) =>
      this.logger.warn(`Saving the checkpoint failed: ${describe(error)}`),
    );
    // The pause must not keep a stopping process alive: the host's server does while it runs.
    this.retries = retry(
      handleWhen(() => this.active),
      { backoff: new ExponentialBackoff({ initialDelay: settings.retryDelayMs, maxDelay: MAX_RETRY_DELAY_MS }) },
    ).dangerouslyUnref();
    this.retries.onRetry((failure) => {
      if ('error' in failure) this.logger.warn(`${describe(failure.error)}; asking again in ${Math.round(failure.delay)} ms, its slot given to other orders meanwhile`);
    });
  }

  abandon(): void {
    this.active = false;
    this.orders.wake();
  }

  /** Starts the work the events call for and returns once it is queued (waiting for a free slot). */
  async accept(events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (!isPaymentEvent(event) || !TRIGGERS.has(event.type)) {
        this.progress.pass(event.position);
        continue;
      }
      const { orderId } = event.data;
      // Bounded by orders at work; another event of an order already at work joins its queue.
      if (!(await this.roomFor(orderId))) return;
      // The ticket stays open, and the checkpoint before the event, until the order is settled, through every retry.
      const ticket = this.progress.begin(event.position);
      void this.settleOrder(orderId, event.revision, event.metadata).then(
        () => {
          if (!this.active) return; // abandoned work is not finished: the checkpoint stays before it
          this.progress.finish(ticket);
          return this.progress.save();
        },
        () => undefined,
      );
    }
    // Not awaited: saves are spaced out in time, and the next events must not wait for one.
    if (this.active) void this.progress.save();
  }

  /** Waits until work of `orderId` keeps within the slots; false once the run is abandoned. */
  private async roomFor(orderId: string): Promise<boolean> {
    while (this.active && !this.orders.hasRoomFor(orderId, this.settings.maxInFlight)) await this.orders.keyFreed();
    return this.active;
  }

  /**
   * Does what the order's payment still needs from the gateway. Each try holds a slot
   * only while it works: one that failed (a gateway that timed out, an open breaker, a
   * conflicting append) gives its slot up while it waits to ask again, so that orders
   * whose calls fail cannot take every slot from the others. Rejects only once the run is
   * abandoned.
   */
  private settleOrder(orderId: string, seen: number, cause: EventMetadata): Promise<void> {
    return this.retries.execute(async () => {
      // The first try has the room accept waited for; a later one waits for room as new work does.
      while (this.active && !this.orders.hasRoomFor(orderId, this.settings.maxInFlight)) await this.orders.keyFreed();
      if (!this.active) throw new Error('abandoned');
      // Taken in the same step as the check: no other waiter can take the room in between.
      await this.orders.run(orderId, () =>
        // In the trace of the request for the payment: its outcome, and what the order does about it, follow on.
        inSpan('payment settle', { parent: cause.traceparent, attributes: { 'agora.order.id': orderId } }, () => this.settleOnce(orderId, seen, cause)),
      );
    });
  }

  /** One try: the gateway calls and appends the order's payment needs now, until none is left; throws on the first that fails. */
  private async settleOnce(orderId: string, seen: number, cause: EventMetadata): Promise<void> {
    const stream = streamName('payment', orderId);
    const context = causedBy(cause);
    try {
      while (this.active) {
        // What this process appended is remembered; a stream known only up to an older revision is read.
        const { state } = await this.settings.commands.load(paymentDecider, stream, seen);
        const work = pendingWork(state);
        if (work === undefined) return;
        if (work === 'charge') {
          const { amountCents, currency, paymentToken } = state.charge!;
          // The order id is the idempotency key: a charge sent again after a crash is the same charge.
          const outcome = await this.gateway.charge({ orderId, amountCents, currency, token: paymentToken!, idempotencyKey: orderId });
          if (!this.active) return;
          await this.settings.commands.handle(paymentDecider, stream, { type: 'settle-charge', orderId, outcome }, context);
        } else {
          const { chargeId, amountCents } = state.charge!;
          const { refundId } = await this.gateway.refund({ chargeId: chargeId!, amountCents, idempotencyKey: `${orderId}:refund` });
          if (!this.active) return;
          await this.settings.commands.handle(paymentDecider, stream, { type: 'record-refund', orderId, refundId }, context);
        }
      }
    } catch (error) {
      throw new Error(`Payment of order ${orderId} failed (${describe(error)})`, { cause: error });
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

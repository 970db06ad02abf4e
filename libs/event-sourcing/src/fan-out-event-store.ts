import { comparePositions, type Event, type GlobalPosition, type NewEvent, type RecordedEvent } from './event.js';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from './event-store.js';
import { categoryOf } from './stream-name.js';

export interface FanOutOptions {
  /**
   * Events held for one subscriber that has not taken them yet. Past this the subscriber
   * leaves the shared tail and catches up on its own reads, so a slow subscriber never
   * makes the reader buffer without bound nor holds up the others. Default 5000.
   */
  readonly maxBufferedEvents?: number;
  /** Events per read, of the shared tail and of a subscriber catching up. Default 1000. */
  readonly readBatchSize?: number;
}

const START: GlobalPosition = { commit: 0, prepare: 0 };

/**
 * An `EventStore` whose subscriptions share one reader. One subscription of the wrapped
 * store follows the live tail of the log and hands every batch, in memory, to each
 * subscriber whose categories it concerns. A subscriber that starts behind (new,
 * rebuilt, restarted from an old checkpoint) catches up on its own reads, then joins the
 * tail; one that falls too far behind leaves it again. Writes and other reads go
 * straight to the wrapped store.
 *
 * Joining never skips nor doubles an event: the subscriber registers with the tail at a
 * known tail position T (synchronously, between two fan-outs), reads the gap up to T
 * itself, and then takes from the tail only events after its own position. Both readers
 * see one order of the log, in which nothing later can appear behind a position already
 * read (docs/adr/0002), so a short page of the gap read means the gap is closed.
 */
export class FanOutEventStore implements EventStore {
  private readonly maxBufferedEvents: number;
  private readonly readBatchSize: number;
  private readonly members = new Set<TailMember>();
  private tailReady: Promise<void> | undefined;
  private tailSubscription: Subscription | undefined;
  /** The last position the tail has handed out (or started after). */
  private tailPosition: GlobalPosition = START;
  private tailStarted = false;
  private closed = false;

  constructor(
    readonly inner: EventStore,
    options: FanOutOptions = {},
  ) {
    this.maxBufferedEvents = options.maxBufferedEvents ?? 5000;
    this.readBatchSize = options.readBatchSize ?? 1000;
    if (inner.appendToStreams) this.appendToStreams = (appends) => inner.appendToStreams!(appends);
  }

  appendToStream(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(streamName, events, expected);
  }

  /** Offered where the wrapped store offers it. */
  readonly appendToStreams?: (appends: readonly StreamAppend[]) => Promise<AppendResult[]>;

  readStream<E extends Event = Event>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return this.inner.readStream<E>(streamName, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  readByCorrelation: EventStore['readByCorrelation'] = (correlationId, options) => this.inner.readByCorrelation(correlationId, options);

  headPosition(): Promise<GlobalPosition | undefined> {
    return this.inner.headPosition();
  }

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    return new SharedSubscription(this, options, handler, this.readBatchSize, this.maxBufferedEvents);
  }

  /** Subscribers on the shared tail now. */
  get tailSubscribers(): number {
    return this.members.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tailReady?.catch(() => undefined);
    await this.tailSubscription?.stop();
    await this.inner.close();
  }

  /**
   * Puts `member` on the tail and answers the tail's position at that moment: the member
   * reads up to it itself; everything after it reaches the member through `push`.
   */
  async join(member: TailMember): Promise<GlobalPosition> {
    if (this.closed) throw new Error('The event store is closed.');
    this.tailReady ??= this.openTail().catch((error: unknown) => {
      this.tailReady = undefined;
      throw error;
    });
    await this.tailReady;
    this.members.add(member);
    return this.tailPosition;
  }

  leave(member: TailMember): void {
    this.members.delete(member);
  }

  private async openTail(): Promise<void> {
    const head = await this.inner.headPosition();
    // The first tail starts at the head of the log; a restarted one goes on where the last stopped.
    if (!this.tailStarted && head) this.tailPosition = head;
    this.tailStarted = true;
    const after = comparePositions(this.tailPosition, START) > 0 ? { after: this.tailPosition } : {};
    const subscription = this.inner.subscribe({ ...after, maxBatchSize: this.readBatchSize }, async (events) => this.fanOut(events));
    this.tailSubscription = subscription;
    void subscription.closed.then(
      () => this.endTail(subscription, new Error('The shared subscription stopped.')),
      (error: unknown) => this.endTail(subscription, error ?? new Error('The shared subscription failed.')),
    );
  }

  /** The tail ended (the store went away, or it was closed): its members fail, and resume from their checkpoints. */
  private endTail(subscription: Subscription, error: unknown): void {
    if (this.tailSubscription !== subscription) return;
    this.tailSubscription = undefined;
    this.tailReady = undefined;
    const members = [...this.members];
    this.members.clear();
    for (const member of members) member.tailEnded(error);
  }

  private fanOut(events: readonly RecordedEvent[]): void {
    if (events.length === 0) return;
    this.tailPosition = events[events.length - 1]!.position;
    for (const member of this.members) member.push(events);
  }
}

/** What the tail needs of a subscriber. */
interface TailMember {
  push(events: readonly RecordedEvent[]): void;
  tailEnded(error: unknown): void;
}

/**
 * One subscriber of a `FanOutEventStore`: catches up alone, joins the tail, and takes
 * what the tail buffered for it, in batches of what has accumulated while its handler
 * worked.
 */
class SharedSubscription implements Subscription, TailMember {
  readonly closed: Promise<void>;
  private stopped = false;
  private onTail = false;
  private buffer: RecordedEvent[] = [];
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  /** The position of the last event handed to the handler (or the starting checkpoint). */
  private position: GlobalPosition | undefined;
  private readonly categories: ReadonlySet<string> | undefined;
  private readonly batchSize: number;

  constructor(
    private readonly store: FanOutEventStore,
    private readonly options: SubscribeOptions,
    private readonly handler: BatchHandler,
    readBatchSize: number,
    private readonly maxBufferedEvents: number,
  ) {
    this.position = options.after;
    this.categories = options.categories && new Set(options.categories);
    this.batchSize = options.maxBatchSize ?? readBatchSize;
    this.closed = this.run().finally(() => this.leaveTail());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.closed.catch(() => undefined);
  }

  push(events: readonly RecordedEvent[]): void {
    for (const event of events) if (this.concerns(event)) this.buffer.push(event);
    if (this.buffer.length > this.maxBufferedEvents) this.leaveTail(); // catches up alone once the buffer is taken
    this.wakeUp();
  }

  tailEnded(error: unknown): void {
    this.onTail = false;
    this.failure ??= { error };
    this.wakeUp();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.catchUp();
      if (this.stopped) return;
      const joinedAt = await this.store.join(this);
      this.onTail = true;
      await this.readGap(joinedAt);
      await this.takeFromTail();
    }
  }

  /** Reads on its own until a page comes back short: then it is close to the head. */
  private async catchUp(): Promise<void> {
    while (!this.stopped) {
      const page = await this.read();
      await this.deliver(page);
      if (page.length < this.batchSize) return;
    }
  }

  /** Reads what the tail handed out before this subscriber joined it, up to `until`. */
  private async readGap(until: GlobalPosition): Promise<void> {
    while (!this.stopped && (!this.position || comparePositions(this.position, until) < 0)) {
      const page = await this.read();
      const inGap = page.filter((event) => comparePositions(event.position, until) <= 0);
      await this.deliver(inGap);
      if (page.length < this.batchSize || inGap.length < page.length) return;
    }
  }

  private async takeFromTail(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.length === 0) {
        if (this.failure) throw this.failure.error;
        if (!this.onTail) return; // left the tail: catch up alone, then join again
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const batch = this.buffer.splice(0, this.batchSize).filter((event) => !this.position || comparePositions(event.position, this.position) > 0);
      await this.deliver(batch);
    }
  }

  private read(): Promise<RecordedEvent[]> {
    return this.store.inner.readAll({
      ...(this.position && { after: this.position }),
      ...(this.options.categories && { categories: this.options.categories }),
      maxCount: this.batchSize,
    });
  }

  private async deliver(events: readonly RecordedEvent[]): Promise<void> {
    if (events.length === 0 || this.stopped) return;
    await this.handler(events);
    this.position = events[events.length - 1]!.position;
  }

  private concerns(event: RecordedEvent): boolean {
    return !this.categories || this.categories.has(categoryOf(event.streamName));
  }

  private leaveTail(): void {
    this.onTail = false;
    this.store.leave(this);
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

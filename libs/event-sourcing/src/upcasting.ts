import type { Event, RecordedEvent } from './event.js';
import { schemaVersionOf } from './event.js';
import { categoryOf } from './stream-name.js';
import type { BatchHandler, EventStore, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from './event-store.js';

/**
 * How a stored event of one shape becomes the next: `from` (`order.placed.v1`) in, `to`
 * (`order.placed.v2`) out. A type changes shape by a new version suffix; the stored
 * events keep theirs, and every read hands out the newest.
 */
export interface Upcaster {
  readonly from: string;
  readonly to: string;
  /**
   * Only events of streams of this category (`checkout`): for a type that several
   * categories share, such as a saga's `saga.input-handled.v1`, whose state each saga
   * shapes its own way. A step for the category goes before one for every category.
   */
  readonly category?: string;
  /** The payload in the shape of `to`, from the payload in the shape of `from` (and the rest of the stored event). */
  up(data: Record<string, unknown>, event: RecordedEvent): Record<string, unknown>;
}

/** A type renamed, its payload the same: events stored under `from` are read as `to` (of `category` only, where given). */
export function renamed(from: string, to: string, category?: string): Upcaster {
  return { from, to, ...(category !== undefined && { category }), up: (data) => data };
}

/**
 * The upcasters of a process, chained: an event is upcast from its stored type through
 * every step after it (`v1` → `v2` → `v3`). Refuses two steps from one type, and a chain
 * that comes back to a type it passed.
 */
export class Upcasters {
  private readonly steps = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) this.add(upcaster);
  }

  get size(): number {
    return this.steps.size;
  }

  private add(upcaster: Upcaster): void {
    const key = keyOf(upcaster.from, upcaster.category);
    const taken = this.steps.get(key);
    const of = upcaster.category === undefined ? '' : ` (${upcaster.category})`;
    if (taken) throw new Error(`Two upcasters from ${upcaster.from}${of}: to ${taken.to} and to ${upcaster.to}.`);
    this.steps.set(key, upcaster);
    // A step for every category may close a loop with one bound to a category: walk each.
    const categories = new Set([upcaster.category, ...[...this.steps.values()].map((step) => step.category)]);
    for (const category of categories) {
      for (let type = upcaster.to, seen = new Set([upcaster.from]), step = this.stepFrom(type, category); step; step = this.stepFrom(type, category)) {
        if (seen.has(type)) throw new Error(`The upcasters from ${upcaster.from}${of} come back to ${type}${category === undefined ? '' : ` in ${category}`}.`);
        seen.add(type);
        type = step.to;
      }
    }
  }

  private stepFrom(type: string, category: string | undefined): Upcaster | undefined {
    return (category === undefined ? undefined : this.steps.get(keyOf(type, category))) ?? this.steps.get(type);
  }

  /** `event` in its newest shape; the same object when no upcaster starts at its type. */
  upcast<E extends Event>(event: RecordedEvent<E>): RecordedEvent<E> {
    if (this.steps.size === 0) return event;
    const category = categoryOf(event.streamName);
    let current = event as RecordedEvent;
    for (let step = this.stepFrom(current.type, category); step; step = this.stepFrom(current.type, category)) {
      current = { ...current, type: step.to, data: step.up(current.data, current), metadata: { ...current.metadata, schemaVersion: schemaVersionOf(step.to) } };
    }
    return current as RecordedEvent<E>;
  }
}

function keyOf(type: string, category: string | undefined): string {
  return category === undefined ? type : `${category} ${type}`;
}

/**
 * An event store whose every read (streams, pages of the log, subscriptions, and so
 * rebuilds) hands out events upcast to their newest shape; appends pass as they are.
 */
export class UpcastingEventStore implements EventStore {
  readonly appendToStreams?: EventStore['appendToStreams'];

  constructor(
    private readonly inner: EventStore,
    private readonly upcasters: Upcasters,
  ) {
    if (inner.appendToStreams) this.appendToStreams = (appends) => inner.appendToStreams!(appends);
  }

  /** `store` itself when there is nothing to upcast. */
  static over(store: EventStore, upcasters: Upcasters): EventStore {
    return upcasters.size === 0 ? store : new UpcastingEventStore(store, upcasters);
  }

  appendToStream: EventStore['appendToStream'] = (streamName, events, expected) => this.inner.appendToStream(streamName, events, expected);

  async readStream<E extends Event = Event>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return (await this.inner.readStream<E>(streamName, options)).map((event) => this.upcasters.upcast(event));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(options)).map((event) => this.upcasters.upcast(event));
  }

  readByCorrelation: EventStore['readByCorrelation'] = async (correlationId, options) =>
    (await this.inner.readByCorrelation(correlationId, options)).map((event) => this.upcasters.upcast(event));

  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    return this.inner.subscribe(options, (events) => handler(events.map((event) => this.upcasters.upcast(event))));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

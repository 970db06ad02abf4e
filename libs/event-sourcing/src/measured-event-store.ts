import { Histogram } from 'prom-client';
import { LATENCY_BUCKETS, timed } from '@agora/platform';
import { WrongExpectedVersion } from './errors.js';
import type { Event, RecordedEvent } from './event.js';
import type { BatchHandler, EventStore, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from './event-store.js';

const appendDuration = new Histogram({
  name: 'agora_event_store_append_duration_seconds',
  help: 'Appends to the event store (one stream, or several in one commit), by outcome: ok, conflict (a wrong expected version) or error; and how long each took.',
  labelNames: ['outcome'],
  buckets: LATENCY_BUCKETS,
});

/** Measures every append of the store it wraps (`agora_event_store_append_duration_seconds`); everything else passes through. */
export class MeasuredEventStore implements EventStore {
  readonly appendToStreams?: EventStore['appendToStreams'];

  constructor(private readonly inner: EventStore) {
    if (inner.appendToStreams) this.appendToStreams = (appends) => measured(() => inner.appendToStreams!(appends));
  }

  appendToStream: EventStore['appendToStream'] = (streamName, events, expected) => measured(() => this.inner.appendToStream(streamName, events, expected));

  readStream<E extends Event = Event>(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent<E>[]> {
    return this.inner.readStream<E>(streamName, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  readByCorrelation: EventStore['readByCorrelation'] = (correlationId, options) => this.inner.readByCorrelation(correlationId, options);

  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    return this.inner.subscribe(options, handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function measured<T>(append: () => Promise<T>): Promise<T> {
  return timed(appendDuration, {}, append, { ok: 'ok', failed: (error) => (error instanceof WrongExpectedVersion ? 'conflict' : 'error') });
}

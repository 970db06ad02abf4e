import { Counter, Histogram } from 'prom-client';
import { categoryOf, type EventStore, type RecordedEvent, type Subscription } from '@agora/event-sourcing';
import { LRUCache } from 'lru-cache';
import type { SagaDefinition, SagaInput, SagaStatus } from './saga-definition.js';
import { isInputHandled, type InputHandled } from './saga-stream.js';

const started = new Counter({
  name: 'agora_saga_started_total',
  help: 'Saga instances that took their first step, by saga.',
  labelNames: ['saga'],
});
const outcomes = new Counter({
  name: 'agora_saga_outcomes_total',
  help: 'Saga instances that ended, by saga, outcome (the final step: confirmed, rejected, cancelled…; or stuck) and reason (of a completed one).',
  labelNames: ['saga', 'outcome', 'reason'],
});
const compensations = new Counter({
  name: 'agora_saga_compensations_total',
  help: 'Compensating commands sagas sent (the definition names them), by saga and command type.',
  labelNames: ['saga', 'command'],
});
const timeToOutcome = new Histogram({
  name: 'agora_saga_duration_seconds',
  help: "Time from a saga instance's first step to its outcome, by saga and outcome.",
  labelNames: ['saga', 'outcome'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
});

/** What is known of an instance: when it began, and its status after the last step seen. */
interface Seen {
  readonly startedAt: number;
  readonly status: SagaStatus;
}

/**
 * Counts what the sagas of a process do, from their steps as the log delivers them: each
 * instance started, each outcome (once, when the status leaves `active`), each
 * compensating command, and the time from the first step to the outcome. It follows the
 * log from where it is when started and saves no checkpoint: like every counter, its
 * figures begin again with the process. It runs beside the saga's feed, in the one
 * instance that does the background work, so no step is counted by two processes.
 */
export class SagaMetrics {
  private subscription: Subscription | undefined;
  private stopped = false;
  private readonly definitions: ReadonlyMap<string, SagaDefinition<unknown, SagaInput>>;
  /** Instances under way; one not here (begun before the process) is read from its stream once. */
  private readonly seen = new LRUCache<string, Seen>({ max: 100_000 });

  constructor(
    private readonly store: Pick<EventStore, 'subscribe' | 'headPosition' | 'readStream'>,
    definitions: readonly SagaDefinition<unknown, SagaInput>[],
  ) {
    this.definitions = new Map(definitions.map((definition) => [definition.category, definition]));
  }

  async start(): Promise<void> {
    this.stopped = false;
    const head = await this.store.headPosition();
    if (this.stopped || this.subscription) return;
    this.subscription = this.store.subscribe({ ...(head && { after: head }), categories: [...this.definitions.keys()] }, async (events) => {
      // A step whose stream cannot be read now (see `before`) goes uncounted: the figures
      // are the process's view, and must never hold up or end the subscription.
      for (const event of events) if (isInputHandled(event)) await this.count(event as RecordedEvent<InputHandled>).catch(() => undefined);
    });
    this.subscription.closed.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private async count(event: RecordedEvent<InputHandled>): Promise<void> {
    const category = categoryOf(event.streamName);
    const definition = this.definitions.get(category);
    if (!definition) return;
    const { data } = event;
    const at = Date.parse(data.at);
    const before = event.revision === 0 ? undefined : (this.seen.get(event.streamName) ?? (await this.before(event)));
    if (!before) started.inc({ saga: category });
    const startedAt = before?.startedAt ?? at;
    for (const message of data.send) if (definition.compensations?.includes(message.type)) compensations.inc({ saga: category, command: message.type });
    if (data.status !== 'active' && (before?.status ?? 'active') === 'active') {
      const outcome = data.status === 'stuck' ? 'stuck' : data.step;
      // A stuck instance's reason names the input that contradicted it: not a label.
      outcomes.inc({ saga: category, outcome, reason: data.status === 'stuck' ? '' : (data.reason ?? '') });
      timeToOutcome.observe({ saga: category, outcome }, Math.max(0, at - startedAt) / 1000);
    }
    this.seen.set(event.streamName, { startedAt, status: data.status });
  }

  /** The instance before `event`, read from its stream: it began before this process followed the log. */
  private async before(event: RecordedEvent<InputHandled>): Promise<Seen | undefined> {
    const earlier = await this.store.readStream<InputHandled>(event.streamName, { maxCount: event.revision });
    const [first, last] = [earlier[0], earlier.at(-1)];
    return first && last && { startedAt: Date.parse(first.data.at), status: last.data.status };
  }
}


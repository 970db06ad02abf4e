import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import { requestContext } from '@agora/event-sourcing';
import { eventStoreForTest, until, type EventStoreForTest } from '@agora/testing';
import type { SagaDefinition, SagaInput } from './saga-definition.js';
import { SagaMetrics } from './saga-metrics.js';
import { SagaRuntime } from './saga-runtime.js';

// A toy payment saga: started, then paid (it ends), or contradicted (it is stuck). A
// refund asked after it ended is a compensation, and does not end it a second time.
type Input = SagaInput<'toy.started' | 'toy.paid' | 'toy.refund-asked' | 'toy.contradicted', { id: string }>;
const payment = (category: string): SagaDefinition<{ paid: boolean }, Input> => ({
  category,
  sagaIdOf: (input) => input.data.id,
  initialState: () => ({ paid: false }),
  compensations: ['toy.refund.v1'],
  react: (state, input) => {
    switch (input.type) {
      case 'toy.started':
        return { state, step: 'waiting' };
      case 'toy.paid':
        return { state: { paid: true }, step: 'paid', status: 'completed', reason: 'card' };
      case 'toy.refund-asked':
        return { state, step: 'refunding', send: [{ type: 'toy.refund.v1', key: input.data.id, data: { id: input.data.id } }] };
      case 'toy.contradicted':
        return { state, step: 'waiting', status: 'stuck', reason: `payment ${input.data.id} contradicted` };
    }
  },
});

/** The sum of the series of `name` (a counter, or a histogram's `_sum` or `_count`) with `labels`; 0 while there is none. */
async function valueOf(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name) ?? register.getSingleMetric(name.replace(/_(sum|count)$/, ''));
  const values = (await metric!.get()).values.filter(
    (value) => ((value as { metricName?: string }).metricName ?? name) === name && Object.entries(labels).every(([key, label]) => value.labels[key] === label),
  );
  return values.reduce((sum, value) => sum + value.value, 0);
}

describe('SagaMetrics', () => {
  let events: EventStoreForTest;
  let now = new Date('2026-01-01T00:00:00Z');
  let runtime: SagaRuntime;

  beforeAll(async () => {
    events = await eventStoreForTest('saga_metrics');
    runtime = new SagaRuntime(events.store, { clock: () => now });
  });

  afterAll(async () => {
    await events?.close();
  });

  const handle = (saga: SagaDefinition<{ paid: boolean }, Input>, type: Input['type'], id: string, at: string) => {
    now = new Date(at);
    return runtime.handle(saga, { type, data: { id }, messageId: randomUUID() }, requestContext());
  };

  it('counts each instance started, each outcome once with its reason, each compensation, and the time from the first step to the outcome', async () => {
    const saga = payment(`toy${randomUUID().slice(0, 8)}`);
    // Begun before the metrics followed the log: its start is not counted here, but its outcome is, timed from its first step.
    const [early, late, stuck] = [randomUUID(), randomUUID(), randomUUID()];
    await handle(saga, 'toy.started', early, '2026-01-01T00:00:00Z');
    const metrics = new SagaMetrics(events.store, [saga as SagaDefinition<unknown, SagaInput>]);
    await metrics.start();
    try {
      await handle(saga, 'toy.paid', early, '2026-01-01T00:00:03Z');
      await handle(saga, 'toy.started', late, '2026-01-01T00:00:10Z');
      await handle(saga, 'toy.paid', late, '2026-01-01T00:00:10.500Z');
      // After it ended: a compensation, and no second outcome.
      await handle(saga, 'toy.refund-asked', late, '2026-01-01T00:00:20Z');
      await handle(saga, 'toy.started', stuck, '2026-01-01T00:00:30Z');
      await handle(saga, 'toy.contradicted', stuck, '2026-01-01T00:00:31Z');

      const category = saga.category;
      await until(async () => (await valueOf('agora_saga_outcomes_total', { saga: category })) === 3);
      await until(async () => (await valueOf('agora_saga_compensations_total', { saga: category })) === 1);
      expect(await valueOf('agora_saga_started_total', { saga: category })).toBe(2);
      expect(await valueOf('agora_saga_outcomes_total', { saga: category, outcome: 'paid', reason: 'card' })).toBe(2);
      // A stuck instance's reason names the input: it is not a label.
      expect(await valueOf('agora_saga_outcomes_total', { saga: category, outcome: 'stuck', reason: '' })).toBe(1);
      expect(await valueOf('agora_saga_compensations_total', { saga: category, command: 'toy.refund.v1' })).toBe(1);
      // 3 s for the early one (from its first step, read from its stream), 0.5 s for the late one, 1 s for the stuck one.
      expect(await valueOf('agora_saga_duration_seconds_sum', { saga: category })).toBeCloseTo(4.5, 5);
      expect(await valueOf('agora_saga_duration_seconds_count', { saga: category, outcome: 'paid' })).toBe(2);
    } finally {
      await metrics.stop();
    }
  });
});

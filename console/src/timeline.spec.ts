import { describe, expect, it } from '@jest/globals';
import type { StoredEvent } from './api.js';
import { derivedMessageId } from './message-ids.js';
import { barEnd, timelineOf } from './timeline.js';

const ORDER = '0b6f3c1e-4a5d-4e7b-9c1a-2f3e4d5c6b7a';
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
/** What the checkout's view names as its compensating commands. */
const COMPENSATIONS = ['inventory.release-reservation.v1', 'payment.refund-payment.v1'];
let revision = 0;

function recorded(streamName: string, type: string, ms: number, data: Record<string, unknown> = {}, causationId = 'request'): StoredEvent {
  const at = new Date(T0 + ms).toISOString();
  return { streamName, revision: revision++, position: `${ms}.0`, type, recordedAt: at, occurredAt: at, messageId: `m-${ms}-${type}`, correlationId: 'request', causationId, data };
}

/** An event caused by the `index`-th message the saga sent in `step`. */
function answer(step: StoredEvent, index: number, streamName: string, type: string, ms: number): StoredEvent {
  return recorded(streamName, type, ms, {}, derivedMessageId(step.messageId, index));
}

/** A step of the checkout saga as its stream records it. */
function step(ms: number, input: string, name: string, send: string[], deadline: { name: string; dueInMs: number } | null = null): StoredEvent {
  return recorded(`checkout-${ORDER}`, 'saga.input-handled.v1', ms, {
    input: { messageId: `in-${ms}`, type: input },
    step: name,
    state: {},
    status: 'active',
    send: send.map((type) => ({ type, key: ORDER, data: {} })),
    deadline: deadline && { name: deadline.name, dueAt: new Date(T0 + deadline.dueInMs).toISOString() },
    at: new Date(T0 + ms).toISOString(),
  });
}

describe('a checkout drawn as a timeline', () => {
  it('draws a declined payment: each request to the answer the saga took its next step on, the deadlines cleared, and the release as a compensation', () => {
    const saga = [
      step(0, 'order.placed.v1', 'reserving', ['inventory.reserve-stock.v1'], { name: 'reservation', dueInMs: 30_000 }),
      step(40, 'inventory.stock-reserved.v1', 'charging', ['payment.charge-payment.v1'], { name: 'reservation-ttl', dueInMs: 20_000 }),
      step(75, 'payment.payment-declined.v1', 'rejected', ['inventory.release-reservation.v1']),
    ];
    const [reserving, charging, rejected] = saga as [StoredEvent, StoredEvent, StoredEvent];
    const answering = [
      recorded(`order-${ORDER}`, 'order.placed.v1', 0),
      answer(reserving, 0, `reservation-${ORDER}`, 'inventory.reservation-requested.v1', 20),
      answer(reserving, 0, `reservation-${ORDER}`, 'inventory.reservation-accepted.v1', 20),
      answer(charging, 0, `payment-${ORDER}`, 'payment.charge-requested.v1', 52),
      // The provider's decline, caused by payment's record of the request.
      recorded(`payment-${ORDER}`, 'payment.declined.v1', 70, {}, 'm-52-payment.charge-requested.v1'),
      recorded(`order-${ORDER}`, 'order.rejected.v1', 75, {}, 'in-75'),
      answer(rejected, 0, `reservation-${ORDER}`, 'inventory.reservation-released.v1', 88),
    ];

    const timeline = timelineOf(saga, [...saga, ...answering], COMPENSATIONS, T0 + 1000)!;

    expect(timeline.steps).toEqual([
      { step: 'reserving', input: 'order.placed.v1', at: T0 },
      { step: 'charging', input: 'inventory.stock-reserved.v1', at: T0 + 40 },
      { step: 'rejected', input: 'payment.payment-declined.v1', at: T0 + 75 },
    ]);
    expect(timeline.bars).toEqual([
      // Each answered by the last event it caused, in whichever stream.
      { kind: 'command', label: 'reserve stock', type: 'inventory.reserve-stock.v1', start: T0, end: T0 + 20, outcome: 'inventory.reservation-accepted.v1' },
      { kind: 'deadline', label: 'deadline reservation', type: 'reservation', start: T0, end: T0 + 40, due: T0 + 30_000, outcome: 'cleared at charging' },
      { kind: 'command', label: 'charge payment', type: 'payment.charge-payment.v1', start: T0 + 40, end: T0 + 70, outcome: 'payment.declined.v1' },
      { kind: 'deadline', label: 'deadline reservation-ttl', type: 'reservation-ttl', start: T0 + 40, end: T0 + 75, due: T0 + 20_000, outcome: 'cleared at rejected' },
      { kind: 'compensation', label: 'release reservation', type: 'inventory.release-reservation.v1', start: T0 + 75, end: T0 + 88, outcome: 'inventory.reservation-released.v1' },
    ]);
    // The axis spans everything that happened, and no further.
    expect([timeline.start, timeline.end]).toEqual([T0, T0 + 88]);
    expect(timeline.bars.filter((bar) => bar.kind === 'compensation').map((bar) => bar.type)).toEqual(['inventory.release-reservation.v1']);
  });

  it('marks a deadline that fired, and the compensations it led to', () => {
    const saga = [
      step(0, 'order.placed.v1', 'reserving', ['inventory.reserve-stock.v1'], { name: 'reservation', dueInMs: 30_000 }),
      step(30, 'inventory.stock-reserved.v1', 'charging', ['payment.charge-payment.v1'], { name: 'payment', dueInMs: 5030 }),
      step(5040, 'saga.deadline-reached', 'rejected', ['payment.refund-payment.v1', 'inventory.release-reservation.v1']),
    ];
    const [reserving, , fired] = saga as [StoredEvent, StoredEvent, StoredEvent];
    const answering = [
      answer(reserving, 0, `reservation-${ORDER}`, 'inventory.reservation-accepted.v1', 12),
      answer(fired, 0, `payment-${ORDER}`, 'payment.refund-requested.v1', 5050),
      answer(fired, 1, `reservation-${ORDER}`, 'inventory.reservation-released.v1', 5060),
    ];

    const { bars } = timelineOf(saga, [...saga, ...answering], COMPENSATIONS, T0 + 6000)!;

    expect(bars.map(({ kind, type, end, outcome }) => ({ kind, type, end, outcome }))).toEqual([
      { kind: 'command', type: 'inventory.reserve-stock.v1', end: T0 + 12, outcome: 'inventory.reservation-accepted.v1' },
      { kind: 'deadline', type: 'reservation', end: T0 + 30, outcome: 'cleared at charging' },
      // Payment never answered the charge; the refund asked later in its stream is not that answer.
      { kind: 'command', type: 'payment.charge-payment.v1', end: undefined, outcome: 'no answer yet' },
      { kind: 'deadline', type: 'payment', end: T0 + 5040, outcome: 'fired' },
      { kind: 'compensation', type: 'payment.refund-payment.v1', end: T0 + 5050, outcome: 'payment.refund-requested.v1' },
      { kind: 'compensation', type: 'inventory.release-reservation.v1', end: T0 + 5060, outcome: 'inventory.reservation-released.v1' },
    ]);
  });

  it('draws a checkout still waiting: its pending deadline reaches its due time, a request without answer reaches now', () => {
    const saga = [step(0, 'order.placed.v1', 'reserving', ['inventory.reserve-stock.v1'], { name: 'reservation', dueInMs: 30_000 })];
    const now = T0 + 2000;

    const timeline = timelineOf(saga, saga, COMPENSATIONS, now)!;

    const [reserve, deadline] = timeline.bars;
    expect(reserve).toMatchObject({ end: undefined, outcome: 'no answer yet' });
    expect(barEnd(reserve!, now)).toBe(now);
    expect(deadline).toMatchObject({ kind: 'deadline', end: undefined, due: T0 + 30_000, outcome: 'pending' });
    expect(timeline.end).toBe(T0 + 30_000);
  });

  it('has nothing to draw before the saga took its first step', () => {
    expect(timelineOf([], [recorded(`order-${ORDER}`, 'order.placed.v1', 0)], COMPENSATIONS)).toBeUndefined();
  });
});

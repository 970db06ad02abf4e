import type { StoredEvent } from './api.js';
import { derivedMessageId } from './message-ids.js';

/**
 * A checkout drawn on one time axis, from its saga stream (`checkout-<order id>`: one
 * `saga.input-handled` event per step, with the messages it sent and the deadline it left)
 * and the events that answered them, from any stream (the reservation's, the payment's…):
 * a command's answer is the last event it caused (`lastCausedBy`).
 */
export interface Timeline {
  /** The axis, in ms since the epoch. */
  readonly start: number;
  readonly end: number;
  /** The saga's steps, in order: the step it went to, what moved it there, when. */
  readonly steps: readonly { readonly step: string; readonly input: string; readonly at: number }[];
  readonly bars: readonly TimelineBar[];
}

export interface TimelineBar {
  readonly kind: 'command' | 'compensation' | 'deadline';
  /** `reserve stock`, `release reservation`, `deadline payment`. */
  readonly label: string;
  /** The message sent, or the deadline's name. */
  readonly type: string;
  readonly start: number;
  /** When it was answered, fired or cleared; `undefined` while waiting. */
  readonly end: number | undefined;
  /** A deadline's due time. */
  readonly due?: number;
  /** What ended it: the type of the event that answered, `fired`, `cleared at <step>`; or `pending`, `no answer yet`. */
  readonly outcome: string;
}

/** Where a bar ends on the axis: when it ended; while waiting, its deadline's due time, or now. */
export function barEnd(bar: TimelineBar, now: number): number {
  return bar.end ?? bar.due ?? now;
}

interface InputHandled {
  readonly input: { readonly type: string };
  readonly step: string;
  readonly send: readonly { readonly type: string }[];
  readonly deadline: { readonly name: string; readonly dueAt: string } | null;
}

/**
 * `answering`: the events that may answer the saga's commands, in the order they were
 * recorded; `compensations`: the types of the commands that undo an earlier step, as the
 * checkout's view names them.
 */
export function timelineOf(sagaEvents: readonly StoredEvent[], answering: readonly StoredEvent[], compensations: readonly string[], now = Date.now()): Timeline | undefined {
  const handled = sagaEvents.filter((event) => /^saga\.input-handled\.v\d+$/.test(event.type));
  if (handled.length === 0) return undefined;
  const at = (event: StoredEvent) => Date.parse(event.recordedAt);
  const steps = handled.map((event) => ({ step: (event.data as unknown as InputHandled).step, input: (event.data as unknown as InputHandled).input.type, at: at(event) }));
  const bars: TimelineBar[] = [];
  let pending: { name: string; dueAt: string; bar: number } | undefined;

  for (const event of handled) {
    const data = event.data as unknown as InputHandled;
    const sent = at(event);
    // The deadline this step found pending ends here: it fired (it is this input), or it was cleared or replaced.
    if (pending && (data.input.type === 'saga.deadline-reached' || !sameDeadline(data.deadline, pending))) {
      const fired = data.input.type === 'saga.deadline-reached';
      bars[pending.bar] = { ...bars[pending.bar]!, end: sent, outcome: fired ? 'fired' : `cleared at ${data.step}` };
      pending = undefined;
    }
    data.send.forEach((message, sentIndex) => {
      const answer = lastCausedBy(derivedMessageId(event.messageId, sentIndex), answering);
      bars.push({
        kind: compensations.includes(message.type) ? 'compensation' : 'command',
        label: actionOf(message.type),
        type: message.type,
        start: sent,
        end: answer && at(answer),
        outcome: answer ? answer.type : 'no answer yet',
      });
    });
    if (data.deadline && !pending) {
      pending = { ...data.deadline, bar: bars.length };
      bars.push({ kind: 'deadline', label: `deadline ${data.deadline.name}`, type: data.deadline.name, start: sent, end: undefined, due: Date.parse(data.deadline.dueAt), outcome: 'pending' });
    }
  }

  const start = steps[0]!.at;
  const ends = [...steps.map((step) => step.at), ...bars.map((bar) => barEnd(bar, now))];
  return { start, end: Math.max(start + 1, ...ends), steps, bars };
}

function sameDeadline(deadline: InputHandled['deadline'], pending: { name: string; dueAt: string }): boolean {
  return deadline !== null && deadline.name === pending.name && deadline.dueAt === pending.dueAt;
}

/**
 * A command's answer: the last of the events it caused, directly (they name it as their
 * causation) or through one another (payment records the request, then the provider's
 * decline, caused by that record). `events` in the order they were recorded.
 */
function lastCausedBy(commandId: string, events: readonly StoredEvent[]): StoredEvent | undefined {
  const causes = new Set([commandId]);
  let last: StoredEvent | undefined;
  for (const event of events) {
    if (!causes.has(event.causationId)) continue;
    causes.add(event.messageId);
    last = event;
  }
  return last;
}

/** `inventory.reserve-stock.v1` → `reserve stock`. */
function actionOf(type: string): string {
  return (type.split('.')[1] ?? type).replace(/-/g, ' ');
}

import type { Event } from '@agora/event-sourcing';
import type { OutgoingMessage } from '@agora/messaging';
import type { SagaDeadline, SagaStatus } from './saga-definition.js';

/** The only event of a saga stream: one handled input and everything it decided. */
export type InputHandled<State = unknown> = Event<
  'saga.input-handled.v1',
  {
    readonly input: { readonly messageId: string; readonly type: string };
    readonly step: string;
    readonly state: State;
    readonly status: SagaStatus;
    readonly reason?: string;
    readonly send: readonly OutgoingMessage[];
    /** The pending deadline after this step, if any. */
    readonly deadline: SagaDeadline | null;
    readonly at: string;
  }
>;

export interface SagaStep {
  readonly step: string;
  readonly input: string;
  readonly at: string;
}

/** A saga instance as its stream tells it. */
export interface SagaInstance<State> {
  readonly state: State;
  readonly status: SagaStatus;
  readonly step: string | undefined;
  readonly reason: string | undefined;
  readonly deadline: SagaDeadline | null;
  readonly steps: readonly SagaStep[];
  readonly handled: ReadonlySet<string>;
}

export function emptyInstance<State>(state: State): SagaInstance<State> {
  return { state, status: 'active', step: undefined, reason: undefined, deadline: null, steps: [], handled: new Set() };
}

export function evolveInstance<State>(instance: SagaInstance<State>, event: InputHandled<State>): SagaInstance<State> {
  const { data } = event;
  return {
    state: data.state,
    status: data.status,
    step: data.step,
    reason: data.reason,
    deadline: data.deadline,
    steps: [...instance.steps, { step: data.step, input: data.input.type, at: data.at }],
    handled: new Set([...instance.handled, data.input.messageId]),
  };
}

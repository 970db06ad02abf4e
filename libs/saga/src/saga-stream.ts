import type { Event, Upcaster } from '@agora/event-sourcing';
import type { MessageBody } from '@agora/messaging';
import type { SagaDeadline, SagaDefinition, SagaInput, SagaStatus } from './saga-definition.js';

/**
 * The only event of a saga stream: one handled input and everything it decided, with the
 * state whole, in the shape of the definition's `stateVersion` (the type's version).
 */
export type InputHandled<State = unknown> = Event<
  `saga.input-handled.v${number}`,
  {
    readonly input: { readonly messageId: string; readonly type: string };
    readonly step: string;
    readonly state: State;
    readonly status: SagaStatus;
    readonly reason?: string;
    readonly send: readonly MessageBody[];
    /** The pending deadline after this step, if any. */
    readonly deadline: SagaDeadline | null;
    readonly at: string;
  }
>;

/** A saga stream's event, of whichever version. */
export function isInputHandled(event: Event): event is InputHandled {
  return /^saga\.input-handled\.v\d+$/.test(event.type);
}

/** The type a definition's steps are written as. */
export function inputHandledType(stateVersion = 1): InputHandled['type'] {
  return `saga.input-handled.v${stateVersion}`;
}

/**
 * Upcasters (`@agora/event-sourcing`) of a saga's steps from each older version of its
 * state to the next, for its streams only (`upcastState`).
 */
export function sagaUpcasters(definition: Pick<SagaDefinition<unknown, SagaInput>, 'category' | 'upcastState'>): Upcaster[] {
  return Object.entries(definition.upcastState ?? {}).map(([version, up]) => ({
    from: inputHandledType(Number(version)),
    to: inputHandledType(Number(version) + 1),
    category: definition.category,
    up: (data) => ({ ...data, state: up(data['state']) }),
  }));
}

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

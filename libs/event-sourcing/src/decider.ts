import type { Event } from './event.js';

/**
 * A context's write model as three pure functions (no I/O, no clock: time arrives in the
 * command). `decide` returns the events a command causes, `[]` when it is already done,
 * and throws a domain error when it is not allowed.
 */
export interface Decider<Command, E extends Event, State> {
  decide(command: Command, state: State): readonly E[];
  evolve(state: State, event: E): State;
  initialState(): State;
}

export function fold<E extends Event, State>(decider: Pick<Decider<never, E, State>, 'evolve' | 'initialState'>, events: readonly E[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}

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
  /** For long streams: how `CommandHandler` snapshots the state. Without it, streams are always folded from the start. */
  readonly snapshots?: SnapshotPolicy<State>;
}

/**
 * How a decider's state is snapshotted. A snapshot is a cache of the fold, so `fromJSON`
 * of `toJSON(state)` must be a state that decides and evolves exactly as `state` does.
 */
export interface SnapshotPolicy<State> {
  /** A new snapshot is written once the stream has grown this many events past the last one. */
  readonly every: number;
  /**
   * Version of the state's shape as `toJSON` writes it. Raise it whenever the shape or the
   * meaning of the state changes: a snapshot of another version is ignored (full fold).
   */
  readonly version: number;
  toJSON(state: State): unknown;
  fromJSON(json: unknown): State;
}

export function fold<E extends Event, State>(decider: Pick<Decider<never, E, State>, 'evolve' | 'initialState'>, events: readonly E[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}

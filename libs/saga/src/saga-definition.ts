import type { Decider, Event, IdentifiedEvent } from '@agora/event-sourcing';
import type { MessageBody } from '@agora/messaging';

/** What a saga reacts to: an integration message, a private event of its own context, or a deadline. */
export interface SagaInput<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  /** Unique per input; the runtime handles each once. */
  readonly messageId: string;
}

/** Delivered by the runtime when a saga's deadline passes; `messageId` is the deadline's id. */
export type DeadlineReached = SagaInput<'saga.deadline-reached', { readonly name: string }>;

export type SagaStatus = 'active' | 'completed' | 'stuck';

export interface SagaDeadline {
  readonly id: string;
  /** What the saga waits for, e.g. `payment`; given back in `DeadlineReached`. */
  readonly name: string;
  /** ISO-8601 instant. */
  readonly dueAt: string;
}

/**
 * One step of a saga: its next state and what to send, persisted atomically by the
 * runtime; the commands go out through the relay, the deadline through the scheduler.
 */
export interface Reaction<State> {
  readonly state: State;
  /** Names the step the saga is now in, for operators (`charging`, `compensating`…). */
  readonly step: string;
  readonly send?: readonly MessageBody[];
  /** A new deadline (replacing any pending one), `null` to clear it, omitted to keep it. */
  readonly deadline?: { readonly name: string; readonly dueAt: Date } | null;
  /** `completed` ends the saga; `stuck` ends it visibly, with `reason`, for an operator. */
  readonly status?: SagaStatus;
  readonly reason?: string;
}

/**
 * The aggregate a saga instance runs beside, in the saga's own context and event store
 * (the checkout's order). The runtime decides the saga's commands to it in the saga's own
 * append: the step and what it does to the aggregate are one commit, with no message
 * between them. The aggregate's events that the saga reacts to are handed back to the
 * saga in the same step, under the message ids they are appended with, so a feed that
 * reads them from the store later finds them handled.
 */
export interface LocalAggregate<Input extends SagaInput, Command = never, E extends Event = Event, State = unknown> {
  readonly decider: Decider<Command, E, State>;
  /** The aggregate's stream beside the saga instance `sagaId`. */
  streamOf(sagaId: string): string;
  /** The command a message the saga sends stands for; `undefined` for one that leaves through the relay. */
  commandOf(message: MessageBody, now: Date): Command | undefined;
  /** The saga's input that an event of the aggregate is; `undefined` for one the saga does not react to. */
  inputOf(event: IdentifiedEvent<E>): Input | undefined;
}

/** A saga as pure functions: the runtime does the I/O. */
export interface SagaDefinition<State, Input extends SagaInput> {
  /** Stream category of its instances: `<category>-<sagaId>`. */
  readonly category: string;
  /** The instance an input belongs to (e.g. its order id). */
  sagaIdOf(input: Input): string;
  initialState(): State;
  /** `undefined`: the input means nothing in this state (it is still marked handled). */
  react(state: State, input: Input | DeadlineReached, now: Date): Reaction<State> | undefined;
  /** The aggregate whose commands are decided in the saga's own append, where there is one. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly local?: LocalAggregate<Input, any, any, any>;
  /**
   * The version of `State`'s shape (default 1): every step records the state whole, and
   * is written as `saga.input-handled.v<stateVersion>`. A new shape takes the next
   * version and, in `upcastState`, the way from the one before.
   */
  readonly stateVersion?: number;
  /**
   * For each older version `n`, the state in the shape of `n + 1`. Its context lists
   * `sagaUpcasters(definition)` among its manifest's upcasters, so that every read of the
   * saga's streams (the runtime, its feed, projections) hands out the newest shape.
   */
  readonly upcastState?: Readonly<Record<number, (state: unknown) => unknown>>;
  /** Types of the messages it sends that undo an earlier step (release the stock, refund the payment): counted as compensations (`SagaMetrics`). */
  readonly compensations?: readonly string[];
}

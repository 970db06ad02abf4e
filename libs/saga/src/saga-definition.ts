import type { OutgoingMessage } from '@agora/messaging';

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
  readonly send?: readonly OutgoingMessage[];
  /** A new deadline (replacing any pending one), `null` to clear it, omitted to keep it. */
  readonly deadline?: { readonly name: string; readonly dueAt: Date } | null;
  /** `completed` ends the saga; `stuck` ends it visibly, with `reason`, for an operator. */
  readonly status?: SagaStatus;
  readonly reason?: string;
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
}

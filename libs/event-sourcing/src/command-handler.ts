import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Decider } from './decider.js';
import type { Event, GlobalPosition, NewEvent } from './event.js';
import type { EventStore } from './event-store.js';
import { WrongExpectedVersion } from './errors.js';
import { withMetadata, type MessageContext } from './message-context.js';

export interface CommandHandlerOptions {
  /** How often to load, decide and append when other writers keep winning. Default 5. */
  readonly maxAttempts?: number;
  readonly clock?: () => Date;
  /**
   * Streams whose state is remembered between commands, most recently used first, so a
   * command on a known stream appends without reading it first. 0 turns it off.
   * Default 10,000.
   */
  readonly cachedStreams?: number;
}

/** A stream's state as of a revision. */
export interface Known<State> {
  readonly state: State;
  readonly revision: number | undefined;
}

interface Remembered {
  readonly decider: object;
  readonly known: Known<unknown>;
}

export interface HandleOptions {
  /**
   * The stream most likely does not exist yet (a new order's, a saga's first input): when
   * its state is not remembered, decide on the initial state and append with `'no-stream'`
   * without reading first. A stream that exists after all costs one refused append, then
   * it is read as usual; a decision that appends nothing is never trusted unread.
   */
  readonly expectNew?: boolean;
}

export interface CommandResult<E extends Event, State> {
  /** What this command appended; empty when the decider found nothing to do. */
  readonly events: readonly NewEvent<E>[];
  /** The stream's state after the command. */
  readonly state: State;
  /** The stream's revision after the command; `undefined` while the stream does not exist. */
  readonly revision: number | undefined;
  readonly position: GlobalPosition | undefined;
}

/**
 * Load → decide → append with the expected revision. A conflicting writer means our
 * decision was made on stale state: read what it appended, decide again, a bounded number
 * of times, then give up with `WrongExpectedVersion` (the API answers 409).
 *
 * The state of recently used streams is remembered, so the usual command costs one
 * append and no read. A remembered state may be stale (another process wrote since); the
 * append's expected revision catches that, and an outcome that appends nothing (a refusal
 * or "already done") is only trusted after reading whatever came after the remembered
 * revision. States must therefore be immutable, as deciders make them.
 */
export class CommandHandler {
  private readonly maxAttempts: number;
  private readonly clock: () => Date;
  private readonly remembered: LRUCache<string, Remembered> | undefined;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.clock = options.clock ?? (() => new Date());
    const size = options.cachedStreams ?? 10_000;
    this.remembered = size > 0 ? new LRUCache({ max: size }) : undefined;
  }

  async handle<Command, E extends Event, State>(
    decider: Decider<Command, E, State>,
    streamName: string,
    command: Command,
    context: MessageContext,
    options: HandleOptions = {},
  ): Promise<CommandResult<E, State>> {
    let known = this.recall<State>(decider, streamName);
    // Whether `known` was read from the store just now, rather than remembered or assumed.
    let fresh = known === undefined && !options.expectNew;
    if (!known) {
      const initial = { state: decider.initialState(), revision: undefined };
      known = options.expectNew ? initial : await this.catchUp(decider, streamName, initial);
    }
    for (let conflicts = 0; ; ) {
      let decided: readonly E[];
      try {
        decided = decider.decide(command, known.state);
      } catch (error) {
        if (fresh) throw error;
        [known, fresh] = [await this.catchUp(decider, streamName, known), true];
        continue;
      }
      if (decided.length === 0) {
        if (!fresh) {
          [known, fresh] = [await this.catchUp(decider, streamName, known), true];
          continue;
        }
        return { events: [], state: known.state, revision: known.revision, position: undefined };
      }

      const occurredAt = this.clock();
      const events = decided.map((event) => withMetadata(event, context, occurredAt));
      try {
        const appended = await this.store.appendToStream(streamName, events, known.revision ?? 'no-stream');
        const state = decided.reduce(decider.evolve, known.state);
        this.remember(decider, streamName, { state, revision: appended.nextExpectedRevision });
        return { events, state, revision: appended.nextExpectedRevision, position: appended.position };
      } catch (error) {
        this.remembered?.delete(streamName);
        if (!(error instanceof WrongExpectedVersion) || ++conflicts >= this.maxAttempts) throw error;
        // Writers that lost together would collide again at once: spread them out.
        await sleep(Math.random() * Math.min(2 ** conflicts, 50));
        [known, fresh] = [await this.catchUp(decider, streamName, known), true];
      }
    }
  }

  /**
   * A stream's state without a command: from memory when it is known at least up to
   * revision `atLeast` (one the caller has seen, e.g. of the event it reacts to), else
   * read from the store.
   */
  async load<E extends Event, State>(decider: Decider<never, E, State>, streamName: string, atLeast?: number): Promise<Known<State>> {
    const known = this.recall<State>(decider, streamName);
    if (known && atLeast !== undefined && known.revision !== undefined && known.revision >= atLeast) return known;
    return this.catchUp(decider, streamName, known ?? { state: decider.initialState(), revision: undefined });
  }

  /** `known` brought up to date with the events appended after its revision. */
  private async catchUp<E extends Event, State>(decider: Decider<never, E, State>, streamName: string, known: Known<State>): Promise<Known<State>> {
    const newer = await this.store.readStream<E>(streamName, { fromRevision: (known.revision ?? -1) + 1 });
    if (newer.length === 0) return known;
    const caughtUp = { state: newer.reduce(decider.evolve, known.state), revision: newer[newer.length - 1]!.revision };
    this.remember(decider, streamName, caughtUp);
    return caughtUp;
  }

  private recall<State>(decider: object, streamName: string): Known<State> | undefined {
    const remembered = this.remembered?.get(streamName);
    return remembered?.decider === decider ? (remembered.known as Known<State>) : undefined;
  }

  private remember(decider: object, streamName: string, known: Known<unknown>): void {
    this.remembered?.set(streamName, { decider, known });
  }
}

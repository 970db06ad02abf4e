import { setTimeout as sleep } from 'node:timers/promises';
import type { Decider } from './decider.js';
import { fold } from './decider.js';
import type { Event, GlobalPosition, NewEvent } from './event.js';
import type { EventStore } from './event-store.js';
import { WrongExpectedVersion } from './errors.js';
import { withMetadata, type MessageContext } from './message-context.js';

export interface CommandHandlerOptions {
  /** How often to load, decide and append when other writers keep winning. Default 5. */
  readonly maxAttempts?: number;
  readonly clock?: () => Date;
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
 * decision was made on stale state: load again and decide again, a bounded number of
 * times, then give up with `WrongExpectedVersion` (the API answers 409).
 */
export class CommandHandler {
  private readonly maxAttempts: number;
  private readonly clock: () => Date;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.clock = options.clock ?? (() => new Date());
  }

  async handle<Command, E extends Event, State>(
    decider: Decider<Command, E, State>,
    streamName: string,
    command: Command,
    context: MessageContext,
  ): Promise<CommandResult<E, State>> {
    for (let attempt = 1; ; attempt++) {
      const history = await this.store.readStream<E>(streamName);
      const state = fold(decider, history);
      const revision = history.length > 0 ? history[history.length - 1]!.revision : undefined;
      const decided = decider.decide(command, state);
      if (decided.length === 0) return { events: [], state, revision, position: undefined };

      const occurredAt = this.clock();
      const events = decided.map((event) => withMetadata(event, context, occurredAt));
      try {
        const appended = await this.store.appendToStream(streamName, events, revision ?? 'no-stream');
        return {
          events,
          state: decided.reduce(decider.evolve, state),
          revision: appended.nextExpectedRevision,
          position: appended.position,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= this.maxAttempts) throw error;
        // Writers that lost together would collide again at once: spread them out.
        await sleep(Math.random() * Math.min(2 ** attempt, 50));
      }
    }
  }
}

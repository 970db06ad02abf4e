import { CommandHandler, streamName, type Decider, type EventStore, type MessageContext } from '@agora/event-sourcing';
import { derivedMessageId } from '@agora/messaging';
import type { DeadlineReached, SagaDefinition, SagaInput } from './saga-definition.js';
import { emptyInstance, evolveInstance, type InputHandled, type SagaInstance } from './saga-stream.js';

export interface SagaRuntimeOptions {
  readonly clock?: () => Date;
  /** Load-decide-append rounds when inputs of one saga race each other. Default 20. */
  readonly maxAttempts?: number;
}

interface Handle<Input> {
  readonly input: Input | DeadlineReached;
  readonly now: Date;
}

/**
 * Runs sagas as event-sourced process managers: an instance is the stream
 * `<category>-<sagaId>`; each input is handled once (its message id is remembered in the
 * stream), and the new state, the commands to send and the deadline are one event,
 * appended with the expected revision. Commands leave through the relay
 * (`sagaOutbound`), deadlines fire through the `DeadlineScheduler`, so a restarted
 * process resumes every instance where it was.
 */
export class SagaRuntime {
  private readonly commands: CommandHandler;
  private readonly clock: () => Date;
  /** One decider per definition: the command handler remembers a stream's state for the decider that built it. */
  private readonly deciders = new WeakMap<object, Decider<never, InputHandled<unknown>, SagaInstance<unknown>>>();

  constructor(
    private readonly store: EventStore,
    options: SagaRuntimeOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.commands = new CommandHandler(store, { maxAttempts: options.maxAttempts ?? 20, clock: this.clock });
  }

  async handle<State, Input extends SagaInput>(
    definition: SagaDefinition<State, Input>,
    input: Input | DeadlineReached,
    context: MessageContext,
    sagaId: string = definition.sagaIdOf(input as Input),
  ): Promise<SagaInstance<State>> {
    // A saga's stream not remembered here is almost always one that this input starts.
    const result = await this.commands.handle(this.deciderFor(definition), streamName(definition.category, sagaId), { input, now: this.clock() }, context, { expectNew: true });
    return result.state;
  }

  private deciderFor<State, Input extends SagaInput>(definition: SagaDefinition<State, Input>): Decider<Handle<Input>, InputHandled<State>, SagaInstance<State>> {
    let decider = this.deciders.get(definition);
    if (!decider) this.deciders.set(definition, (decider = deciderOf(definition) as never));
    return decider as never;
  }

  async read<State>(definition: SagaDefinition<State, SagaInput>, sagaId: string): Promise<SagaInstance<State> | undefined> {
    const events = await this.store.readStream<InputHandled<State>>(streamName(definition.category, sagaId));
    if (events.length === 0) return undefined;
    return events.reduce(evolveInstance<State>, emptyInstance(definition.initialState()));
  }
}

function deciderOf<State, Input extends SagaInput>(
  definition: SagaDefinition<State, Input>,
): Decider<Handle<Input>, InputHandled<State>, SagaInstance<State>> {
  return {
    initialState: () => emptyInstance(definition.initialState()),
    evolve: evolveInstance,
    decide: ({ input, now }, instance) => {
      if (instance.handled.has(input.messageId)) return [];
      // A deadline that was replaced or cleared since it was scheduled means nothing now.
      if (input.type === 'saga.deadline-reached' && instance.deadline?.id !== input.messageId) return [];
      const reaction = definition.react(instance.state, input, now);
      const deadline =
        reaction?.deadline === undefined
          ? input.type === 'saga.deadline-reached'
            ? null
            : instance.deadline
          : reaction.deadline && {
              id: derivedMessageId(`deadline:${input.messageId}`, 0),
              name: reaction.deadline.name,
              dueAt: reaction.deadline.dueAt.toISOString(),
            };
      return [
        {
          type: 'saga.input-handled.v1',
          data: {
            input: { messageId: input.messageId, type: input.type },
            step: reaction?.step ?? instance.step ?? 'started',
            state: reaction?.state ?? instance.state,
            status: reaction?.status ?? instance.status,
            ...((reaction?.reason ?? instance.reason) !== undefined && { reason: reaction?.reason ?? instance.reason }),
            send: reaction?.send ?? [],
            deadline,
            at: now.toISOString(),
          },
        },
      ];
    },
  };
}

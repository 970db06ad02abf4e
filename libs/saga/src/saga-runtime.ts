import { randomUUID } from 'node:crypto';
import { CommandHandler, streamName, type Decider, type Event, type EventStore, type IdentifiedEvent, type MessageContext, type StreamPart } from '@agora/event-sourcing';
import { derivedMessageId, type MessageBody } from '@agora/messaging';
import { activeTraceparent, inSpan } from '@agora/platform';
import type { DeadlineReached, SagaDefinition, SagaInput } from './saga-definition.js';
import { emptyInstance, evolveInstance, inputHandledType, type InputHandled, type SagaInstance } from './saga-stream.js';

export interface SagaRuntimeOptions {
  readonly clock?: () => Date;
  /** Load-decide-append rounds when inputs of one saga race each other. Default 20. */
  readonly maxAttempts?: number;
  /**
   * The command handler to decide with instead of one of its own (`maxAttempts` is then
   * its own): share the one of the context whose aggregate a saga runs beside
   * (`SagaDefinition.local`), so that the aggregate's streams it remembers are not read
   * again and the saga's commands on them take turns with the context's own.
   */
  readonly commands?: CommandHandler;
}

/**
 * A saga instance's share of a decision its context takes on the saga's local aggregate
 * itself (the order's placement, say), in the same append (`CommandHandler.handleTogether`
 * on the runtime's command handler): the saga reacts to the aggregate's new events there
 * and then, instead of when a feed reads them back.
 */
export interface SagaShare<State> {
  /** The instance's stream, as one of the parts of the decision. */
  readonly part: StreamPart<InputHandled<State>, SagaInstance<State>>;
  /**
   * The saga's steps for `events`, just decided on the local aggregate whose state was
   * `aggregate` before them: the aggregate's events to append (`events` named with new
   * message ids, then the further ones the saga's commands to it make), and the
   * instance's. The steps are recorded under those ids, so a feed that reads the events
   * later finds them handled.
   */
  decide<E extends Event>(instance: SagaInstance<State>, aggregate: unknown, events: readonly E[]): [aggregate: IdentifiedEvent<E>[], instance: InputHandled<State>[]];
}

interface Handle<Input> {
  readonly input: Input | DeadlineReached;
  readonly now: Date;
}

type AnyInstance = SagaInstance<unknown>;
type SagaDecider = Decider<never, InputHandled<unknown>, AnyInstance>;

/** A step decided on its own would command the saga's local aggregate: it must be decided together with it. */
class LocalStreamNeeded extends Error {}

/** How many inputs one step may hand back to the saga from its local aggregate before it is taken for a loop. */
const MAX_LOCAL_ROUNDS = 16;

/**
 * Runs sagas as event-sourced process managers: an instance is the stream
 * `<category>-<sagaId>`; each input is handled once (its message id is remembered in the
 * stream), and the new state, the commands to send and the deadline are one event,
 * appended with the expected revision. Commands leave through the relay
 * (`sagaOutbound`), deadlines fire through the `DeadlineScheduler`, so a restarted
 * process resumes every instance where it was. Commands to the saga's local aggregate
 * (`SagaDefinition.local`) do not leave: they are decided in the same append.
 */
export class SagaRuntime {
  private readonly commands: CommandHandler;
  private readonly clock: () => Date;
  /** One decider per definition: the command handler remembers a stream's state for the decider that built it. */
  private readonly deciders = new WeakMap<object, SagaDecider>();

  constructor(
    private readonly store: EventStore,
    options: SagaRuntimeOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.commands = options.commands ?? new CommandHandler(store, { maxAttempts: options.maxAttempts ?? 20, clock: this.clock });
  }

  async handle<State, Input extends SagaInput>(
    definition: SagaDefinition<State, Input>,
    input: Input | DeadlineReached,
    context: MessageContext,
    sagaId: string = definition.sagaIdOf(input as Input),
  ): Promise<SagaInstance<State>> {
    const part = this.instancePart(definition, sagaId);
    const { decider, streamName: stream } = part;
    // An input stays handled: one this process has seen handled costs nothing (such as an
    // event the saga decided for its local aggregate, read back by a feed).
    const remembered = this.commands.recalled(decider, stream);
    if (remembered?.state.handled.has(input.messageId)) return remembered.state as SagaInstance<State>;
    // A span of its own in the input's trace; what the step sends carries it on.
    return inSpan(
      `saga ${definition.category} ${input.type}`,
      { parent: context.traceparent, attributes: { 'agora.saga': definition.category, 'agora.saga.id': sagaId, 'agora.saga.input': input.type } },
      () => this.step(definition, input, { ...context, traceparent: activeTraceparent() ?? context.traceparent }, sagaId, remembered?.state),
    );
  }

  /** Decides and appends the step for `input`; `remembered`: the instance as this process last knew it. */
  private async step<State, Input extends SagaInput>(
    definition: SagaDefinition<State, Input>,
    input: Input | DeadlineReached,
    context: MessageContext,
    sagaId: string,
    remembered: AnyInstance | undefined,
  ): Promise<SagaInstance<State>> {
    const part = this.instancePart(definition, sagaId);
    const { decider, streamName: stream } = part;
    const handle: Handle<Input> = { input, now: this.clock() };
    const alone = () => this.commands.handle(decider, stream, handle, context, { expectNew: part.expectNew });
    const local = definition.local;
    if (!local) return (await alone()).state as SagaInstance<State>;
    // Decided on what this process remembers (the step is pure): does it command the aggregate?
    const likely = stepOf(definition, (remembered as SagaInstance<State> | undefined) ?? emptyInstance(definition.initialState()), input, handle.now);
    if (!commandsLocal(definition, likely, handle.now)) {
      try {
        return (await alone()).state as SagaInstance<State>;
      } catch (error) {
        if (!(error instanceof LocalStreamNeeded)) throw error;
      }
    }
    const [, result] = await this.commands.handleTogether(
      // The aggregate's events first: where a store appends stream by stream, they may stand alone.
      [
        { decider: local.decider as Decider<never, Event, unknown>, streamName: local.streamOf(sagaId) },
        part,
      ],
      ([aggregate, instance]) => decideWithLocal(definition, [input], handle.now, aggregate, instance),
      context,
    );
    return result.state as SagaInstance<State>;
  }

  /**
   * The share of instance `sagaId` in a decision on its local aggregate
   * (`SagaDefinition.local`) taken on this runtime's command handler.
   */
  share<State, Input extends SagaInput>(definition: SagaDefinition<State, Input>, sagaId: string): SagaShare<State> {
    const local = definition.local;
    if (!local) throw new Error(`${definition.category} has no local aggregate to share a decision with.`);
    return {
      part: this.instancePart(definition, sagaId) as unknown as SagaShare<State>['part'],
      decide: <E extends Event>(instance: SagaInstance<State>, aggregate: unknown, events: readonly E[]) => {
        const named = events.map((event) => ({ ...event, messageId: randomUUID() }));
        const after = named.reduce<unknown>((state, event) => local.decider.evolve(state, event), aggregate);
        const inputs = named.flatMap((event) => local.inputOf(event) ?? []) as Input[];
        const [further, steps] = decideWithLocal(definition, inputs, this.clock(), after, instance);
        // The aggregate's own decider made the further events: of its event type too.
        return [[...named, ...(further as IdentifiedEvent<E>[])], steps];
      },
    };
  }

  /** An instance's stream as a part of a decision; a stream this process does not remember is almost always one its input starts. */
  private instancePart<State, Input extends SagaInput>(definition: SagaDefinition<State, Input>, sagaId: string) {
    return { decider: this.deciderFor(definition), streamName: streamName(definition.category, sagaId), expectNew: true };
  }

  private deciderFor<State, Input extends SagaInput>(definition: SagaDefinition<State, Input>): SagaDecider {
    let decider = this.deciders.get(definition);
    if (!decider) this.deciders.set(definition, (decider = deciderOf(definition as SagaDefinition<unknown, SagaInput>)));
    return decider;
  }

  async read<State>(definition: SagaDefinition<State, SagaInput>, sagaId: string): Promise<SagaInstance<State> | undefined> {
    const events = await this.store.readStream<InputHandled<State>>(streamName(definition.category, sagaId));
    if (events.length === 0) return undefined;
    return events.reduce(evolveOf(definition), emptyInstance(definition.initialState()));
  }
}

function deciderOf(definition: SagaDefinition<unknown, SagaInput>): SagaDecider {
  return {
    initialState: () => emptyInstance(definition.initialState()),
    evolve: evolveOf(definition),
    decide: ({ input, now }: Handle<SagaInput>, instance: AnyInstance) => {
      const step = stepOf(definition, instance, input, now);
      if (!step) return [];
      if (commandsLocal(definition, step, now)) throw new LocalStreamNeeded(`${definition.category} commands its local aggregate`);
      return [step];
    },
  } as unknown as SagaDecider;
}

/**
 * `evolveInstance` for the steps of `definition` read from its streams: a step of another
 * state version than the definition's means that its upcasters (`sagaUpcasters`) are not
 * among the event store's, and its state would be taken in the wrong shape.
 */
function evolveOf<State>(definition: Pick<SagaDefinition<State, SagaInput>, 'category' | 'stateVersion'>) {
  const type = inputHandledType(definition.stateVersion);
  return (instance: SagaInstance<State>, event: InputHandled<State>): SagaInstance<State> => {
    if (event.type !== type) {
      throw new Error(`A ${definition.category} step is ${event.type}, but its state is ${type}: list sagaUpcasters(definition) among its context's upcasters.`);
    }
    return evolveInstance(instance, event);
  };
}

/** The saga's step for one input: the event that records it, or `undefined` for an input handled already or a stale deadline. */
function stepOf<State, Input extends SagaInput>(
  definition: SagaDefinition<State, Input>,
  instance: SagaInstance<State>,
  input: Input | DeadlineReached,
  now: Date,
): InputHandled<State> | undefined {
  if (instance.handled.has(input.messageId)) return undefined;
  // A deadline that was replaced or cleared since it was scheduled means nothing now.
  if (input.type === 'saga.deadline-reached' && instance.deadline?.id !== input.messageId) return undefined;
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
  return {
    type: inputHandledType(definition.stateVersion),
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
  };
}

function commandsLocal(definition: SagaDefinition<unknown, SagaInput>, step: InputHandled | undefined, now: Date): boolean {
  const local = definition.local;
  return local !== undefined && step !== undefined && step.data.send.some((message) => local.commandOf(message, now) !== undefined);
}

/**
 * The steps for some inputs, with the saga's commands to its local aggregate decided on
 * the aggregate instead of sent, and the aggregate's events that are the saga's inputs
 * handled in the same decision: the events of both streams, in one append.
 */
function decideWithLocal<State, Input extends SagaInput>(
  definition: SagaDefinition<State, Input>,
  firstInputs: readonly (Input | DeadlineReached)[],
  now: Date,
  aggregateState: unknown,
  instanceState: SagaInstance<State>,
): [IdentifiedEvent[], InputHandled<State>[]] {
  const local = definition.local!;
  let [aggregate, instance] = [aggregateState, instanceState];
  const aggregateEvents: IdentifiedEvent[] = [];
  const steps: InputHandled<State>[] = [];
  const inputs = [...firstInputs];
  for (let rounds = 0, input = inputs.shift(); input; input = inputs.shift()) {
    if (++rounds > MAX_LOCAL_ROUNDS) throw new Error(`${definition.category} and its local aggregate keep answering each other: more than ${MAX_LOCAL_ROUNDS} inputs in one step.`);
    const step = stepOf(definition, instance, input, now);
    if (!step) continue;
    const send: MessageBody[] = [];
    let made = 0;
    for (const message of step.data.send) {
      const command = local.commandOf(message, now);
      if (command === undefined) {
        send.push(message);
        continue;
      }
      for (const event of local.decider.decide(command, aggregate) as Event[]) {
        // Named by the input that led to it: the same in every decision of this step.
        const identified = { ...event, messageId: derivedMessageId(`local:${input.messageId}`, made++) };
        aggregate = local.decider.evolve(aggregate, event);
        aggregateEvents.push(identified);
        const answer = local.inputOf(identified) as Input | undefined;
        if (answer) inputs.push(answer);
      }
    }
    const handled: InputHandled<State> = { ...step, data: { ...step.data, send } };
    instance = evolveInstance(instance, handled);
    steps.push(handled);
  }
  return [aggregateEvents, steps];
}

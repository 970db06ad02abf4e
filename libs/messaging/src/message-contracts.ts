import type { EventMetadata } from '@agora/event-sourcing';
import { z } from 'zod';

/** A message as its sender writes it: its versioned type, the key that orders it, its payload. */
export interface MessageBody<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly key: string;
  readonly data: Data;
}

/**
 * What crosses a context boundary: a message (one of the union `M`) with the metadata of
 * its story (ids, correlation, causation, time, schema version, user, trace context),
 * which the relay adds from the event it comes from. On Kafka: key = `key`, value =
 * `data` as JSON, metadata in headers (`toRecord`).
 */
export type IntegrationMessage<M extends MessageBody = MessageBody> = M extends MessageBody ? M & { readonly metadata: EventMetadata } : never;

/**
 * The contract of one message type: the topic it travels on and the schema of its payload.
 * `compacted`: its topic keeps the latest message of every key for ever instead of
 * cutting by age, for topics each of whose messages carries the whole state of its key.
 */
export interface MessageContract {
  readonly topic: string;
  readonly schema: z.ZodType;
  readonly compacted?: boolean;
  /**
   * Names the type was published under before (same payload): a message that arrives
   * under one of them, from a topic written by an earlier version, is read as this type.
   */
  readonly formerly?: readonly string[];
}

/** Contracts by message type, as the contexts' manifests declare what they publish and consume. */
export type MessageContracts = Readonly<Record<string, MessageContract>>;

/** The messages a set of contracts describes, one `MessageBody` per type. */
export type MessagesOf<C extends MessageContracts> = { [T in keyof C & string]: MessageBody<T, z.output<C[T]['schema']>> }[keyof C & string];

export type ParsedMessage<M extends MessageBody = MessageBody> = { readonly ok: true; readonly message: IntegrationMessage<M> } | { readonly ok: false; readonly error: string };

const metadataSchema = z.object({
  messageId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.number().int().positive(),
  userId: z.string().min(1).optional(),
  traceparent: z.string().min(1).optional(),
});

/**
 * The message types a host's transport carries, with their topics and schemas: what the
 * host's contexts say they publish and consume, put together at composition. The
 * transports know no message of their own; they ask the registry where a type goes and
 * whether what arrived is one they may hand out.
 */
export class ContractRegistry<M extends MessageBody = MessageBody> {
  private readonly contracts: ReadonlyMap<string, MessageContract>;
  /** Former names, each to the type it now is. */
  private readonly renamed: ReadonlyMap<string, string>;

  private constructor(contracts: ReadonlyMap<string, MessageContract>) {
    this.contracts = contracts;
    this.renamed = new Map([...contracts].flatMap(([type, { formerly = [] }]) => formerly.map((name) => [name, type] as const)));
  }

  /**
   * One registry of several declarations. A type declared twice must be the same contract
   * (the same object, as every declaration takes it from one source), and the types of one
   * topic must agree on its compaction; else it throws, naming the type or the topic.
   */
  static of<C extends MessageContracts>(...declarations: readonly C[]): ContractRegistry<MessagesOf<C>> {
    const contracts = new Map<string, MessageContract>();
    for (const declared of declarations) {
      for (const [type, contract] of Object.entries(declared)) {
        const known = contracts.get(type);
        if (known && known !== contract) throw new Error(`${type} is declared with two different contracts (topics ${known.topic} and ${contract.topic}).`);
        contracts.set(type, contract);
      }
    }
    for (const [type, { formerly = [] }] of contracts) {
      const taken = formerly.find((name) => contracts.has(name));
      if (taken) throw new Error(`${type} was formerly ${taken}, which is a type of its own.`);
    }
    const compaction = new Map<string, boolean>();
    for (const [type, { topic, compacted = false }] of contracts) {
      if (compaction.has(topic) && compaction.get(topic) !== compacted) throw new Error(`${type} disagrees with the other types of ${topic} on whether it is compacted.`);
      compaction.set(topic, compacted);
    }
    return new ContractRegistry(contracts);
  }

  get types(): string[] {
    return [...this.contracts.keys()];
  }

  has(type: string): boolean {
    return this.contracts.has(type);
  }

  /** The type a name stands for now: itself, or the type it is a former name of. */
  current(type: string): string {
    return this.renamed.get(type) ?? type;
  }

  /** The topic of a type; throws for a type without a contract here. */
  topicOf(type: string): string {
    const contract = this.contracts.get(type);
    if (!contract) throw new Error(`No contract of this host describes ${type}.`);
    return contract.topic;
  }

  /** Every topic of the contracts, each once. */
  get topics(): string[] {
    return [...new Set([...this.contracts.values()].map(({ topic }) => topic))];
  }

  /** The topics kept compacted. */
  get compactedTopics(): string[] {
    return [...new Set([...this.contracts.values()].filter(({ compacted }) => compacted).map(({ topic }) => topic))];
  }

  /**
   * Validates a message on receipt: a type with a contract here (a former name is read as
   * the type it now is), metadata, and a payload that matches the type's schema. A
   * message that fails is not handled (it becomes a dead letter).
   */
  parse(raw: { readonly type: string; readonly key: string; readonly data: unknown; readonly metadata: unknown }): ParsedMessage<M> {
    const type = this.current(raw.type);
    const contract = this.contracts.get(type);
    if (!contract) return { ok: false, error: `unknown message type "${raw.type}"` };
    const metadata = metadataSchema.safeParse(raw.metadata);
    if (!metadata.success) return { ok: false, error: `metadata: ${z.prettifyError(metadata.error)}` };
    const data = contract.schema.safeParse(raw.data);
    if (!data.success) return { ok: false, error: `${raw.type}: ${z.prettifyError(data.error)}` };
    return { ok: true, message: { type, key: raw.key, data: data.data, metadata: metadata.data } as IntegrationMessage<M> };
  }
}

/** Throws, naming them, where a handler takes types the registry has no contract for: nothing could check or route them. */
export function refuseUncontracted(handler: { readonly name: string; readonly types: readonly string[] }, contracts: ContractRegistry<MessageBody>): void {
  const unknown = handler.types.filter((type) => !contracts.has(type));
  if (unknown.length > 0) throw new Error(`${handler.name} handles ${unknown.join(', ')}, which no contract of this host describes.`);
}

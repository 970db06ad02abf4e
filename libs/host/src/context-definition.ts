import type { DynamicModule, InjectionToken, Type } from '@nestjs/common';
import type { Upcaster } from '@agora/event-sourcing';
import { ContractRegistry, type MessageContracts, type MessageHandler, type OutboundMapping } from '@agora/messaging';
import type { Config, SchemaMigrations } from '@agora/platform';
import type { ReadModel } from '@agora/projections';

/**
 * A bounded context as a host composes it, written once in `libs/<context>/src/<context>.context.ts`:
 * the all-in-one shop composes all five, each app of the distributed mode one
 * (`runContextApp`). What it says it publishes and consumes is held against what its
 * handlers and mappings do: at start (`wiringGaps`), and for every message its relays map.
 */
export interface ContextDefinition extends ContextMessaging {
  readonly title: string;
  readonly description: string;
  /** Its own app's HTTP port and embedded PostgreSQL's, unless PORT or EMBEDDED_POSTGRES_PORT say otherwise. */
  readonly ports: { readonly http: number; readonly embeddedPostgres: number };
  /** Its Nest modules. */
  readonly modules: (config: Config) => readonly (Type | DynamicModule)[];
  readonly readModels: readonly ReadModel[];
  /** The migrations of the schemas it keeps besides its read models, which the host runs with all others at start. */
  readonly schemas?: readonly SchemaMigrations[];
  /** How its events stored in an older shape become the newest, on every read (`Upcasters`). */
  readonly upcasters?: readonly Upcaster[];
  /** Its part of the GraphQL schema at /graphql. */
  readonly graphql?: {
    /** Resolvers of its queries, mutations and fields, wherever it runs. */
    readonly resolvers: readonly Type[];
    /**
     * Resolvers only its own app serves: queries that stand in for a field that a host
     * of several contexts joins (the payment app's `payments` for `Order.payments`).
     */
    readonly alone?: readonly Type[];
  };
  /** Data it puts in place once the host is initialised, before it serves (made at composition, so it may refuse the configuration then). */
  readonly seed?: (config: Config) => ContextSeed;
  /**
   * It signs users in and binds `TOKEN_HOLDERS` itself (the user context). An app of any
   * other context keeps the users' token versions from user's messages (docs/adr/0015).
   */
  readonly issuesTokens?: boolean;
}

export interface ContextSeed {
  /** Providers of the context's modules that `run` is given, in this order. */
  readonly inject: readonly InjectionToken[];
  readonly run: (...dependencies: never[]) => Promise<void>;
}

/** The messaging of a context, or of another part of a host that consumes (the token versions). */
export interface ContextMessaging {
  /** The context's name, and its app's: `order`. */
  readonly name: string;
  /** Providers of its modules whose events go out as the integration messages in `publishes`. */
  readonly outbound?: readonly Type<OutboundMapping>[];
  /** Providers of its modules that handle the integration messages in `consumes`. */
  readonly handlers?: readonly Type<MessageHandler>[];
  /**
   * The types of the events it stores, private to it: `<name>.<event>.v<n>`, and never
   * the name of an integration message, so that a name means one schema (checked at start).
   */
  readonly events?: readonly string[];
  /** The contracts (topic and schema) of the integration messages it publishes, from the shop's one source (`contractsFor`). */
  readonly publishes?: MessageContracts;
  /** The contracts of those it consumes: its transport checks every one that arrives against them. */
  readonly consumes?: MessageContracts;
}

/** The contracts of every message the parts of one process publish or consume: what its transport carries. */
export function contractsOf(parts: readonly ContextMessaging[]): ContractRegistry {
  return ContractRegistry.of(...parts.flatMap((part) => [part.publishes ?? {}, part.consumes ?? {}]));
}

/** A context's handlers as the host made them. */
export interface WiredContext {
  readonly context: ContextMessaging;
  readonly handlers: readonly MessageHandler[];
}

/**
 * What the contexts of one process say about their messages and what their handlers do
 * not match, one sentence per gap (none: it may start):
 * - every message type a context consumes is handled by one of its handlers, and every
 *   type its handlers take is one it says it consumes;
 * - two contexts that name the same type name the same contract;
 * - a context's stored events are named in its namespace, and none like a message;
 * - `inOneProcess` (the in-process transport): every type consumed is published by a
 *   context of the process, since nothing else could send it.
 */
export function wiringGaps(wired: readonly WiredContext[], options: { readonly inOneProcess: boolean }): string[] {
  const gaps: string[] = [];
  let messageTypes = new Set<string>();
  try {
    const contracts = contractsOf(wired.map(({ context }) => context));
    messageTypes = new Set(contracts.types);
  } catch (error) {
    gaps.push(error instanceof Error ? error.message : String(error));
  }
  for (const { context } of wired) {
    for (const type of context.events ?? []) {
      if (!type.startsWith(`${context.name}.`)) gaps.push(`${context.name} stores ${type}, a name outside its own (${context.name}.*).`);
      if (messageTypes.has(type)) gaps.push(`${context.name} stores ${type}, which is also the name of an integration message: a name must mean one schema.`);
    }
  }
  const published = new Set(wired.flatMap(({ context }) => Object.keys(context.publishes ?? {})));
  for (const { context, handlers } of wired) {
    const consumes = new Set(Object.keys(context.consumes ?? {}));
    for (const type of consumes) {
      if (!handlers.some((handler) => handler.types.includes(type))) {
        const names = handlers.map((handler) => handler.name).join(', ') || 'none';
        gaps.push(`${context.name} consumes ${type}, but none of its handlers (${names}) handles it.`);
      }
      if (options.inOneProcess && !published.has(type)) {
        gaps.push(`${context.name} consumes ${type}, which no context of this process publishes: it would never arrive.`);
      }
    }
    for (const handler of handlers) {
      for (const type of handler.types) {
        if (!consumes.has(type)) gaps.push(`${handler.name} handles ${type}, which ${context.name} does not say it consumes.`);
      }
    }
  }
  return gaps;
}

/** Thrown at start when `wiringGaps` found any: the process does not start. */
export class WiringGaps extends Error {
  constructor(
    readonly app: string,
    readonly gaps: readonly string[],
  ) {
    super(`${app} does not start: its contexts' messages are not wired as they say.\n${gaps.map((gap) => `- ${gap}`).join('\n')}`);
  }
}

/**
 * `mapping`, refusing a message of a type its context does not say it publishes: the
 * relay parks the event with that reason instead of sending what no consumer was told of.
 */
export function publishingOnly(mapping: OutboundMapping, context: ContextMessaging): OutboundMapping {
  const publishes = new Set(Object.keys(context.publishes ?? {}));
  return {
    name: mapping.name,
    categories: mapping.categories,
    map: (event) => {
      const messages = mapping.map(event);
      for (const { type } of messages) {
        if (!publishes.has(type)) throw new Error(`${mapping.name} mapped ${event.type} to ${type}, which ${context.name} does not say it publishes.`);
      }
      return messages;
    },
  };
}

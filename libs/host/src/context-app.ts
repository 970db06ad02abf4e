import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { Upcaster } from '@agora/event-sourcing';
import type { Config, SchemaMigrations } from '@agora/platform';
import type { ReadModel } from '@agora/projections';
import { DeadLettersController } from './admin/dead-letters.controller.js';
import type { ContextDefinition, ContextMessaging } from './context-definition.js';
import { graphqlFor } from './graphql/graphql-for.js';
import { hostMessaging, type HostMessagingOptions } from './host-messaging.js';
import { HostModule } from './host.module.js';
import { onBootstrap } from './on-bootstrap.js';
import { runHost } from './run-host.js';
import { TOKEN_VERSIONS, tokenVersionProviders } from './token-versions/token-versions.js';
import { tokenVersionsReadModel } from './token-versions/token-versions.read-model.js';

@Module({})
class ContextAppModule {}

/**
 * The `main` of a distributed-mode app: one context on its own database, its read
 * models, and its messages on Kafka.
 */
export function runContextApp(context: ContextDefinition): Promise<void> {
  const app = context.name;
  // Every app but user's refuses the tokens that user's app has revoked.
  const tokenVersions = !context.issuesTokens;
  const resolvers = [...(context.graphql?.resolvers ?? []), ...(context.graphql?.alone ?? [])];
  const consumesKafka = [context, ...(tokenVersions ? [TOKEN_VERSIONS] : [])].some((part) => (part.handlers?.length ?? 0) > 0);
  return runHost({
    app,
    title: context.title,
    description: context.description,
    defaults: { PORT: String(context.ports.http), EMBEDDED_POSTGRES_PORT: String(context.ports.embeddedPostgres), EMBEDDED_POSTGRES_DIR: `.data/${app}/postgres` },
    consumesKafka,
    graphql: resolvers.length > 0,
    rootModule: (config, logger, secrets): DynamicModule => {
      const hosted = hostContexts([context], { app, config, transport: 'kafka', alsoConsuming: tokenVersions ? [TOKEN_VERSIONS] : [] });
      // The resolvers are providers of the root module: they inject the context's handlers.
      const graphql = resolvers.length > 0 ? graphqlFor(resolvers) : undefined;
      return {
        module: ContextAppModule,
        imports: [
          HostModule.forRoot({
            app,
            config,
            logger,
            jwtSecret: secrets.jwtSecret,
            readModels: [...hosted.readModels, ...(tokenVersions ? [tokenVersionsReadModel] : [])],
            upcasters: hosted.upcasters,
            schemas: hosted.schemas,
          }),
          ...hosted.imports,
          ...(graphql ? [graphql.module] : []),
        ],
        providers: [...hosted.providers, ...(tokenVersions ? tokenVersionProviders(app) : []), ...(graphql?.resolvers ?? [])],
        controllers: hosted.controllers,
      };
    },
  });
}

export interface HostContextsOptions {
  readonly app: string;
  readonly config: Config;
  readonly transport: HostMessagingOptions['transport'];
  /** Parts of the host besides the contexts that consume messages (the token versions). */
  readonly alsoConsuming?: readonly ContextMessaging[];
}

export interface HostedContexts {
  /** Their modules, for the root module to import. */
  readonly imports: (Type | DynamicModule)[];
  /** Their messaging (`hostMessaging`) and seeds, as providers of the root module. */
  readonly providers: Provider[];
  /** The controllers of the root module that use the messaging (its dead letters), beside the providers. */
  readonly controllers: Type[];
  /** Their read models, upcasters and other schemas, for `HostModule.forRoot`. */
  readonly readModels: ReadModel[];
  readonly upcasters: Upcaster[];
  readonly schemas: SchemaMigrations[];
}

/**
 * What `contexts` bring to a host. Called when the root module is made, so a seed that
 * refuses the configuration stops the host before anything starts.
 */
export function hostContexts(contexts: readonly ContextDefinition[], options: HostContextsOptions): HostedContexts {
  const { config } = options;
  const messaging = [...contexts, ...(options.alsoConsuming ?? [])];
  const messages = messaging.some((part) => (part.outbound?.length ?? 0) + (part.handlers?.length ?? 0) > 0);
  const seeds = contexts.flatMap((context) => {
    const seed = context.seed?.(config);
    return seed ? [onBootstrap(`seed:${context.name}`, seed.inject, seed.run)] : [];
  });
  return {
    imports: contexts.flatMap((context) => context.modules(config)),
    providers: [...(messages ? hostMessaging({ transport: options.transport, app: options.app, config, contexts: messaging }) : []), ...seeds],
    controllers: messages ? [DeadLettersController] : [],
    readModels: contexts.flatMap((context) => context.readModels),
    upcasters: contexts.flatMap((context) => context.upcasters ?? []),
    schemas: contexts.flatMap((context) => context.schemas ?? []),
  };
}

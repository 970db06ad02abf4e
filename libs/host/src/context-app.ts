import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import type { MessageHandler, OutboundMapping } from '@agora/messaging';
import type { Config } from '@agora/platform';
import type { ReadModel } from '@agora/projections';
import { hostMessaging } from './host-messaging.js';
import { HostModule } from './host.module.js';
import { runHost } from './run-host.js';
import { TokenVersionsHandler, tokenVersionProviders } from './token-versions/token-versions.js';
import { tokenVersionsReadModel } from './token-versions/token-versions.read-model.js';

export interface ContextAppOptions {
  /** The app's name, e.g. `order`. */
  readonly app: string;
  readonly title: string;
  readonly description: string;
  /** Its HTTP port and its embedded PostgreSQL's, unless PORT or EMBEDDED_POSTGRES_PORT say otherwise. */
  readonly port: number;
  readonly embeddedPostgresPort: number;
  readonly readModels: readonly ReadModel[];
  /** The context's module (and anything else it needs). */
  readonly modules: (config: Config) => readonly (Type | DynamicModule)[];
  /** Providers of those modules whose events go to Kafka. */
  readonly outbound?: readonly Type<OutboundMapping>[];
  /** Providers of those modules that consume from Kafka: the app becomes a hybrid app. */
  readonly handlers?: readonly Type<MessageHandler>[];
  /**
   * For every app without the user context: keep a table of the users' token versions
   * from user's `user.token-version-changed.v1` messages, and bind `TOKEN_HOLDERS` to it,
   * so that tokens revoked in the user app are refused here too (docs/adr/0015).
   */
  readonly checksTokenVersions?: boolean;
  /** Further providers of the root module, e.g. seeding at start. */
  readonly providers?: (config: Config) => readonly Provider[];
  /**
   * GraphQL at /graphql, as `graphqlFor` of `@agora/graphql` makes it: its module, and
   * resolvers that become providers of the root module (they inject the context's handlers).
   */
  readonly graphql?: { readonly module: DynamicModule; readonly resolvers: readonly Type[] };
}

@Module({})
class ContextAppModule {}

/**
 * The `main` of a distributed-mode app: one context on its own database, its read
 * models, and its messages on Kafka. Everything an app differs in is in `options`.
 */
export function runContextApp(options: ContextAppOptions): Promise<void> {
  const outbound = options.outbound ?? [];
  const tokenVersions = options.checksTokenVersions ?? false;
  const handlers = [...(options.handlers ?? []), ...(tokenVersions ? [TokenVersionsHandler] : [])];
  const readModels = [...options.readModels, ...(tokenVersions ? [tokenVersionsReadModel] : [])];
  const messaging = outbound.length + handlers.length > 0;
  return runHost({
    app: options.app,
    title: options.title,
    description: options.description,
    defaults: { PORT: String(options.port), EMBEDDED_POSTGRES_PORT: String(options.embeddedPostgresPort), EMBEDDED_POSTGRES_DIR: `.data/${options.app}/postgres` },
    consumesKafka: handlers.length > 0,
    graphql: options.graphql !== undefined,
    rootModule: (config, logger, secrets): DynamicModule => ({
      module: ContextAppModule,
      imports: [
        HostModule.forRoot({ app: options.app, config, logger, jwtSecret: secrets.jwtSecret, readModels }),
        ...options.modules(config),
        ...(options.graphql ? [options.graphql.module] : []),
      ],
      providers: [
        ...(messaging ? hostMessaging({ transport: 'kafka', app: options.app, config, outbound, handlers }) : []),
        ...(tokenVersions ? tokenVersionProviders(options.app) : []),
        ...(options.providers?.(config) ?? []),
        ...(options.graphql?.resolvers ?? []),
      ],
    }),
  });
}

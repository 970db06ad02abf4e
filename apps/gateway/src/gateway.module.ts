import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { graphqlOver, InstanceRegistration } from '@agora/host';
import { MAX_WAIT_MS } from '@agora/order';
import { AccessTokens, AuthModule, loggerModule, type Config } from '@agora/platform';
import { EtcdServiceRegistry, type Discovery } from '@agora/registry';
import type pino from 'pino';
import { composedSchema } from './composed-schema.js';
import { ContextClient } from './context-clients.js';
import { contextSchemas } from './context-schemas.js';
import { errorLocations } from './error-locations.js';
import { GATEWAY_CONTEXTS } from './gateway-contexts.js';
import { GatewayHealthController } from './gateway-health.controller.js';
import { GatewayOperationsController } from './gateway-operations.controller.js';
import { COMPOSED_SCHEMA, CONTEXT_CLIENTS, GATEWAY_SERVICE } from './gateway.tokens.js';

const DISCOVERY = Symbol('Discovery');

/** The apps the gateway reaches with a token of its own rather than the caller's (see `ContextClientOptions.credentials`). */
const AS_SERVICE: ReadonlySet<string> = new Set(['payment']);

export interface GatewayOptions {
  readonly config: Config & { readonly REGISTRY_ENDPOINTS: string };
  readonly logger: pino.Logger;
  readonly jwtSecret: string;
}

/** The registry's watch, closed when the gateway stops. */
class RegistryWatch implements OnApplicationShutdown {
  constructor(
    private readonly registry: EtcdServiceRegistry,
    readonly discovery: Discovery,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.discovery.close();
    await this.registry.close();
  }
}

/**
 * What the gateway is made of, as one global module: discovery of the apps in the
 * registry, a client per context app under its resilience policy, the composed schema
 * over them, `/health` of every app, and the gateway's own entry in the registry.
 */
@Module({})
class GatewayCoreModule {
  static forRoot({ config, logger, jwtSecret }: GatewayOptions): DynamicModule {
    return {
      module: GatewayCoreModule,
      global: true,
      imports: [loggerModule(logger), AuthModule.forRoot({ secret: jwtSecret, expiresInSeconds: config.JWT_EXPIRES_IN_S }), TerminusModule],
      controllers: [GatewayHealthController, GatewayOperationsController],
      providers: [
        { provide: InstanceRegistration, useFactory: () => new InstanceRegistration(GATEWAY_SERVICE, config) },
        {
          provide: RegistryWatch,
          useFactory: async () => {
            const registry = new EtcdServiceRegistry({
              endpoints: config.REGISTRY_ENDPOINTS.split(','),
              prefix: config.REGISTRY_PREFIX,
              logger: { log: (message) => logger.info(message), warn: (message) => logger.warn(message) },
            });
            try {
              return new RegistryWatch(registry, await registry.discover());
            } catch (error) {
              await registry.close();
              const reason = (error as Error).message.split('. ')[0];
              throw new Error(`the service registry at ${config.REGISTRY_ENDPOINTS} did not answer (${reason}): start etcd (scripts/etcd.sh start) or point REGISTRY_ENDPOINTS at one`, { cause: error });
            }
          },
        },
        { provide: DISCOVERY, inject: [RegistryWatch], useFactory: (watch: RegistryWatch) => watch.discovery },
        {
          provide: CONTEXT_CLIENTS,
          inject: [DISCOVERY, AccessTokens],
          useFactory: (discovery: Discovery, tokens: AccessTokens) => {
            const serviceToken = renewedToken(() => tokens.forService(GATEWAY_SERVICE));
            return new Map(
              GATEWAY_CONTEXTS.map(({ name: service }) => [
                service,
                new ContextClient(discovery, {
                  service,
                  credentials: AS_SERVICE.has(service) ? serviceToken : 'caller',
                  policy: {
                    // An order's long-poll (`order(wait: TERMINAL)`) answers after its wait.
                    timeoutMs: config.GATEWAY_TIMEOUT_MS + (service === 'order' ? MAX_WAIT_MS : 0),
                    retries: 2,
                    breakAfter: config.GATEWAY_BREAK_AFTER,
                    halfOpenAfterMs: config.GATEWAY_HALF_OPEN_AFTER_MS,
                    bulkhead: { limit: 64, queue: 256 },
                  },
                }),
              ]),
            );
          },
        },
        {
          provide: COMPOSED_SCHEMA,
          inject: [CONTEXT_CLIENTS],
          useFactory: async (clients: ReadonlyMap<string, ContextClient>) => composedSchema(await contextSchemas(GATEWAY_CONTEXTS), clients),
        },
      ],
      exports: [CONTEXT_CLIENTS, COMPOSED_SCHEMA, InstanceRegistration],
    };
  }
}

@Module({})
export class GatewayModule {
  static forRoot(options: GatewayOptions): DynamicModule {
    return { module: GatewayModule, imports: [GatewayCoreModule.forRoot(options), graphqlOver(COMPOSED_SCHEMA, [errorLocations()])] };
  }
}

/** A token from `issue`, asked again once half its life has passed. */
function renewedToken(issue: () => Promise<{ accessToken: string; expiresIn: number }>): () => Promise<string> {
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (!current || Date.now() >= current.renewAt) {
      const asked = issue();
      current = { token: asked.then(({ accessToken }) => accessToken), renewAt: Number.POSITIVE_INFINITY };
      const entry = current;
      void asked.then(
        ({ expiresIn }) => (entry.renewAt = Date.now() + (expiresIn * 1000) / 2),
        () => (entry.renewAt = 0),
      );
    }
    return current.token;
  };
}

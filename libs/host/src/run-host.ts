import 'reflect-metadata';
import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { KafkaConsumers } from '@agora/messaging';
import { createHttpApp, createLogger, exitIfInvalidConfiguration, jwtSecret, listen, readConfigOrExit, type Config } from '@agora/platform';
import { stopTelemetry } from '@agora/telemetry';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { instanceIdOf, InstanceRegistration } from './instance-registration.js';

export interface RunHostOptions {
  /** The app's name, e.g. `order`: its logger and Kafka client are named after it. */
  readonly app: string;
  /** Shown in the banner and the OpenAPI document. */
  readonly title: string;
  readonly description: string;
  /** The OpenAPI document's title, when not `title`. */
  readonly apiTitle?: string;
  /** Environment values this app uses unless the environment sets them (its port, its embedded database). */
  readonly defaults?: Readonly<Record<string, string>>;
  /** May throw `InvalidConfiguration` (the host exits, naming the problem), e.g. through `adminPassword`. */
  readonly rootModule: (config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }) => DynamicModule;
  /** The root module serves GraphQL at /graphql. */
  readonly graphql?: boolean;
  /** The root module serves a REST API under /api (default true; the gateway serves none). */
  readonly rest?: boolean;
  /** The root module has `hostMessaging` on Kafka: its consumers run as the app's microservice. */
  readonly consumesKafka?: boolean;
  /** Further lines for the banner, e.g. how to sign in. */
  readonly notes?: (config: Config) => readonly string[];
  /** The operations console's built files, when the host serves it at /console/. */
  readonly consoleFolder?: string;
}

export const VERSION = '0.1.0';

/**
 * A host's `main`: reads and checks the configuration (exits with every problem named),
 * creates the app, connects its Kafka consumers as the app's microservice when it has
 * them (a hybrid app), serves HTTP, and registers in the service registry when one is
 * configured, until a shutdown signal.
 */
export async function runHost(options: RunHostOptions): Promise<void> {
  const config = readConfigOrExit({ ...options.defaults, ...process.env });
  const logger = createLogger({ name: `agora-${options.app}`, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const secret = await jwtSecret(config.JWT_SECRET, config.JWT_SECRET_FILE).catch(exitIfInvalidConfiguration);
  let rootModule: DynamicModule;
  try {
    rootModule = options.rootModule(config, logger, { jwtSecret: secret });
  } catch (error) {
    exitIfInvalidConfiguration(error);
  }
  const app = await createHttpApp(withTelemetryShutdown(rootModule), {
    logger,
    title: options.apiTitle ?? options.title,
    description: options.description,
    version: VERSION,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    instanceId: instanceIdOf(options.app, config),
    ...(options.consoleFolder && { consoleFolder: options.consoleFolder }),
  });
  try {
    if (options.consumesKafka) {
      app.connectMicroservice({ strategy: app.get(KafkaConsumers) }, { inheritAppConfig: true });
      await app.startAllMicroservices();
    }
    await listen(app, config, options.title, options.notes?.(config) ?? [], {
      graphql: options.graphql ?? false,
      rest: options.rest ?? true,
      console: options.consoleFolder !== undefined,
    });
    // Only now that it serves may nginx and the gateway find it.
    app.get(InstanceRegistration).register((app.getHttpServer().address() as AddressInfo).port);
  } catch (error) {
    logger.fatal({ err: error }, `${options.title} could not start`);
    await app.close();
    process.exit(1);
  }
}

/**
 * Exports the spans still buffered when the app shuts down, before Nest ends the process.
 * A global module shuts down after the others, and the first global module imported
 * last of them: so after the app's own modules, which may still trace as they stop.
 */
@Module({})
class TelemetryShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTelemetry();
  }
}

function withTelemetryShutdown(rootModule: DynamicModule): DynamicModule {
  return { ...rootModule, imports: [{ module: TelemetryShutdown, global: true }, ...(rootModule.imports ?? [])] };
}

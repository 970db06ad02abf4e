import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import {
  InProcessTransport,
  KafkaConsumers,
  KafkaTransport,
  Messaging,
  PostgresDeadLetters,
  TRANSPORT,
  type MessageHandler,
  type OutboundMapping,
  type Transport,
} from '@agora/messaging';
import { BACKGROUND_WORK, PG_POOL, type BackgroundWork, type Config } from '@agora/platform';
import type pg from 'pg';

export interface HostMessagingOptions {
  /** `in-process` for the all-in-one host; `kafka` for the apps of the distributed mode. */
  readonly transport: 'in-process' | 'kafka';
  /** The app's name: its Kafka client id is `agora-<app>`. */
  readonly app: string;
  readonly config: Config;
  /** Providers (of the app's context modules) whose events the app publishes. */
  readonly outbound: readonly Type<OutboundMapping>[];
  /** Providers (of the app's context modules) that handle the app's incoming messages. */
  readonly handlers: readonly Type<MessageHandler>[];
}

/** Flushes the producer once the relays and the consumers have stopped. */
@Injectable()
class KafkaShutdown implements OnApplicationShutdown {
  constructor(@Inject(TRANSPORT) private readonly transport: KafkaTransport) {}
  async onApplicationShutdown(): Promise<void> {
    await this.transport.stop();
  }
}

/**
 * The providers an app's root module adds for its messaging (they inject the context
 * modules' mappings and handlers, which only the root module sees): the transport, the
 * relays as background work, and on Kafka the consumers that `runHost` connects as the
 * app's microservice.
 */
export function hostMessaging(options: HostMessagingOptions): Provider[] {
  const { config } = options;
  const logger = new Logger('Messaging');
  const warn = (error: unknown, where: string) => logger.warn(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  const transport: Provider =
    options.transport === 'kafka'
      ? {
          provide: TRANSPORT,
          useFactory: async () => {
            const kafka = new KafkaTransport({
              brokers: config.KAFKA_BROKERS.split(','),
              clientId: `agora-${options.app}`,
              group: options.app,
              prefix: config.KAFKA_TOPIC_PREFIX,
              partitions: config.KAFKA_PARTITIONS,
              onError: warn,
            });
            try {
              await kafka.connect();
            } catch (error) {
              throw new Error(
                `Kafka is not reachable at KAFKA_BROKERS=${config.KAFKA_BROKERS} (${error instanceof Error ? error.message : String(error)}). ` +
                  'Start a local broker with `scripts/kafka.sh start`, or set KAFKA_BROKERS to a running one.',
                { cause: error },
              );
            }
            logger.log(`Connected to Kafka at ${config.KAFKA_BROKERS}`);
            return kafka;
          },
        }
      : {
          provide: TRANSPORT,
          inject: [PG_POOL],
          useFactory: (pool: pg.Pool) => {
            if (config.MESSAGING_DUPLICATE_DELIVERY) logger.warn('Fault injection: every integration message is delivered twice.');
            return new InProcessTransport(new PostgresDeadLetters(pool), {
              duplicateDelivery: config.MESSAGING_DUPLICATE_DELIVERY,
              onError: (error, consumer) => warn(error, consumer),
            });
          },
        };
  return [
    transport,
    {
      provide: Messaging,
      inject: [EVENT_STORE, PG_POOL, TRANSPORT, BACKGROUND_WORK, ...options.outbound, ...options.handlers],
      useFactory: async (store: EventStore, pool: pg.Pool, via: Transport, work: BackgroundWork, ...parts: unknown[]) => {
        await Messaging.migrate(pool);
        const messaging = new Messaging(store, pool, via, {
          outbound: parts.slice(0, options.outbound.length) as OutboundMapping[],
          handlers: parts.slice(options.outbound.length) as MessageHandler[],
          onError: warn,
          fence: work.fence,
        });
        work.add('relays', messaging);
        return messaging;
      },
    },
    ...(options.transport === 'kafka'
      ? [{ provide: KafkaConsumers, inject: [TRANSPORT], useFactory: (kafka: KafkaTransport) => new KafkaConsumers(kafka) }, KafkaShutdown]
      : []),
  ];
}

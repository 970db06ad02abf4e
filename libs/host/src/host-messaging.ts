import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
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
import { contractsOf, publishingOnly, wiringGaps, WiringGaps, type ContextMessaging } from './context-definition.js';

export interface HostMessagingOptions {
  /** `in-process` for the all-in-one host; `kafka` for the apps of the distributed mode. */
  readonly transport: 'in-process' | 'kafka';
  /** The app's name: its Kafka client id is `agora-<app>`. */
  readonly app: string;
  readonly config: Config;
  /** The app's contexts: their outbound mappings and handlers are providers of their modules. */
  readonly contexts: readonly ContextMessaging[];
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
 * app's microservice. The app does not start where the contexts' handlers do not match
 * what the contexts say they consume (`wiringGaps`), and a relay parks an event mapped to
 * a message its context does not say it publishes.
 */
export function hostMessaging(options: HostMessagingOptions): Provider[] {
  const { config } = options;
  const logger = new Logger('Messaging');
  const warn = (error: unknown, where: string) => logger.warn(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  const { contexts } = options;
  // What the transport carries: the contracts the contexts declare. Two that differ on a type are a wiring gap.
  const contracts = () => {
    try {
      return contractsOf(contexts);
    } catch (error) {
      throw new WiringGaps(options.app, [error instanceof Error ? error.message : String(error)]);
    }
  };
  const transport: Provider =
    options.transport === 'kafka'
      ? {
          provide: TRANSPORT,
          inject: [PG_POOL],
          useFactory: async (pool: pg.Pool) => {
            const kafka = new KafkaTransport({
              contracts: contracts(),
              brokers: config.KAFKA_BROKERS.split(','),
              clientId: `agora-${options.app}`,
              group: options.app,
              prefix: config.KAFKA_TOPIC_PREFIX,
              partitions: config.KAFKA_PARTITIONS,
              // The .dlq records of this app's consumers, for its operators (the console) to see and replay.
              deadLetterShelf: new PostgresDeadLetters(pool),
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
            return new InProcessTransport(contracts(), new PostgresDeadLetters(pool), {
              duplicateDelivery: config.MESSAGING_DUPLICATE_DELIVERY,
              onError: (error, consumer) => warn(error, consumer),
            });
          },
        };
  const outbound = contexts.flatMap((context) => context.outbound ?? []);
  const handlers = contexts.flatMap((context) => context.handlers ?? []);
  return [
    transport,
    {
      provide: Messaging,
      inject: [EVENT_STORE, PG_POOL, TRANSPORT, BACKGROUND_WORK, ...outbound, ...handlers],
      useFactory: async (store: EventStore, pool: pg.Pool, via: Transport, work: BackgroundWork, ...parts: unknown[]) => {
        // The instances in the order of their classes: each context's share, in turn.
        const mappings = parts.slice(0, outbound.length) as OutboundMapping[];
        const made = parts.slice(outbound.length) as MessageHandler[];
        const wired = contexts.map((context) => ({
          context,
          mappings: mappings.splice(0, context.outbound?.length ?? 0),
          handlers: made.splice(0, context.handlers?.length ?? 0),
        }));
        const gaps = wiringGaps(wired, { inOneProcess: options.transport === 'in-process' });
        if (gaps.length > 0) throw new WiringGaps(options.app, gaps);
        const messaging = new Messaging(store, pool, via, {
          outbound: wired.flatMap(({ context, mappings: its }) => its.map((mapping) => publishingOnly(mapping, context))),
          handlers: wired.flatMap(({ handlers: its }) => its),
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

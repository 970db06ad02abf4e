import type { EventStore } from '@agora/event-sourcing';
import pg from 'pg';
import { PostgresCheckpointStore } from './checkpoint-store.js';
import { PostgresDeadLetters } from './dead-letters.js';
import { InProcessTransport, type InProcessTransportOptions } from './in-process-transport.js';
import type { MessageHandler, OutboundMapping } from './ports.js';
import { Relay } from './relay.js';
import { migrateMessaging } from './schema.js';

export interface InProcessMessagingOptions {
  readonly outbound: readonly OutboundMapping[];
  readonly handlers: readonly MessageHandler[];
  readonly transport?: InProcessTransportOptions;
  readonly onError?: (error: unknown, where: string) => void;
}

/**
 * The all-in-one host's messaging: one relay per outbound mapping, every handler on one
 * in-process transport, checkpoints and dead letters in PostgreSQL.
 */
export class InProcessMessaging {
  readonly deadLetters: PostgresDeadLetters;
  private readonly relays: Relay[];
  private readonly transport: InProcessTransport;

  constructor(
    store: EventStore,
    private readonly pool: pg.Pool,
    options: InProcessMessagingOptions,
  ) {
    this.deadLetters = new PostgresDeadLetters(pool);
    this.transport = new InProcessTransport(this.deadLetters, {
      ...options.transport,
      onError: (error, consumer) => options.onError?.(error, consumer),
    });
    for (const handler of options.handlers) this.transport.register(handler);
    const checkpoints = new PostgresCheckpointStore(pool);
    this.relays = options.outbound.map(
      (mapping) => new Relay(store, checkpoints, this.transport, mapping, { onError: (error, relay) => options.onError?.(error, relay) }),
    );
  }

  async start(): Promise<void> {
    await migrateMessaging(this.pool);
    for (const relay of this.relays) relay.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.relays.map((relay) => relay.stop()));
  }
}

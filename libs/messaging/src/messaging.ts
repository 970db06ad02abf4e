import type { Fence } from '@agora/platform';
import type pg from 'pg';
import { PostgresCheckpointStore } from './checkpoint-store.js';
import type { LogSource } from './event-store-consumer.js';
import { PostgresParkedEvents } from './parked-events.js';
import type { MessageHandler, OutboundMapping } from './ports.js';
import { Relay } from './relay.js';
import type { Transport } from './transport.js';

export interface MessagingOptions {
  readonly outbound: readonly OutboundMapping[];
  readonly handlers: readonly MessageHandler[];
  readonly onError?: (error: unknown, where: string) => void;
  /** The background work's fence, that the relays' checkpoints are saved under. */
  readonly fence?: Fence;
}

/**
 * A host's messaging on any transport: its contexts' handlers registered with the
 * transport, and one relay per outbound mapping with its checkpoint in PostgreSQL.
 * `start`/`stop` run the relays; the transport delivers to the handlers on its own
 * schedule (in-process: within `publish`; Kafka: its consumer groups).
 */
export class Messaging {
  private readonly relays: Relay[];

  constructor(store: LogSource, pool: pg.Pool, transport: Transport, options: MessagingOptions) {
    for (const handler of options.handlers) transport.register(handler);
    const checkpoints = new PostgresCheckpointStore(pool, options.fence);
    const parked = new PostgresParkedEvents(pool);
    this.relays = options.outbound.map(
      (mapping) => new Relay(store, checkpoints, transport, mapping, { parked, onError: (error, relay) => options.onError?.(error, relay) }),
    );
  }

  get names(): string[] {
    return this.relays.map((relay) => relay.name);
  }

  start(): void {
    for (const relay of this.relays) relay.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.relays.map((relay) => relay.stop()));
  }
}

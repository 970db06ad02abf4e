import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import type { KafkaTransport } from './kafka-transport.js';

/**
 * The Kafka side of a hybrid Nest app: `app.connectMicroservice({ strategy })` makes the
 * app start the transport's consumer groups with `startAllMicroservices()` and stop them
 * first on shutdown, before the HTTP server and the database close. The consumers are
 * `KafkaTransport`'s, not `ServerKafka`'s (ADR 0008): a group per handler, bounded
 * retries and a dead-letter topic.
 */
export class KafkaConsumers extends Server implements CustomTransportStrategy {
  constructor(private readonly transport: KafkaTransport) {
    super();
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.transport.consume();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.transport.stopConsuming();
  }

  on(): never {
    throw new Error('KafkaConsumers reports nothing through on(); see the host logs.');
  }

  unwrap<T>(): T {
    return this.transport.client as Kafka as T;
  }
}

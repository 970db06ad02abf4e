import type { IntegrationMessage } from './message-contracts.js';
import type { MessageHandler } from './ports.js';

/**
 * Carries integration messages from relays to handlers: in-process in the all-in-one
 * host, Kafka in distributed mode. `publish` resolves once the messages are safe (handled
 * in-process, acknowledged by the broker); only then does a relay move its checkpoint.
 * A relay may publish again before an earlier call resolved: messages of one key must
 * still arrive in the order of the calls.
 */
export interface Transport {
  register(handler: MessageHandler): void;
  publish(messages: readonly IntegrationMessage[]): Promise<void>;
  /**
   * Hands a message that became a dead letter to its consumer once more, as if it had just
   * arrived: checked against its contract, then handled (with the usual retries); throws
   * what refused it. Absent where dead letters are kept elsewhere (Kafka's `.dlq` topics).
   */
  redeliver?(consumer: string, message: unknown): Promise<void>;
}

export const TRANSPORT = Symbol('Transport');

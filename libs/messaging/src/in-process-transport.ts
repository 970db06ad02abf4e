import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedQueue } from '@agora/event-sourcing';
import type { DeadLetters } from './dead-letters.js';
import { refuseUncontracted, type ContractRegistry, type IntegrationMessage } from './message-contracts.js';
import { handleInSpan, type MessageHandler, type MessageSource } from './ports.js';
import type { Transport } from './transport.js';

/**
 * A handler of this process kept failing on a message: the relay that published it parks
 * its event (with this error, which names the handler), and retries it on demand.
 */
export class ConsumerFailed extends Error {
  override readonly name = 'ConsumerFailed';
  constructor(
    readonly consumer: string,
    readonly messageType: string,
    cause: unknown,
  ) {
    super(`${consumer} failed on ${messageType}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Messages handed over in memory, by the process that published them. */
const IN_PROCESS: MessageSource = { system: 'in-process' };

export interface InProcessTransportOptions {
  /** Tries per handler and message before the publish fails with `ConsumerFailed`. Default 3. */
  readonly maxAttempts?: number;
  /** First pause between tries, doubled each time. Default 20 ms. */
  readonly backoffMs?: number;
  readonly onError?: (error: unknown, consumer: string, message: IntegrationMessage, attempt: number) => void;
  /** Fault injection: hand every message to its handlers twice, as a redelivery would. */
  readonly duplicateDelivery?: boolean;
}

/**
 * The all-in-one host's transport: `publish` hands each message to every handler of its
 * type and resolves when all have finished, so the relay's checkpoint only moves past
 * handled messages. Messages with the same key are handled one after the other, in the
 * order published, across overlapping `publish` calls too; different keys run
 * concurrently. Each message is checked against its contract on receipt, like one from a
 * broker; one that does not match becomes a dead letter. One that a handler keeps failing
 * fails the publish with `ConsumerFailed` once every handler has had it, so that the relay
 * parks its event and retries it on demand (the other handlers are idempotent). A handler
 * must not wait for a publish of its own message's key: that message is delivered only
 * after the handler returns.
 */
export class InProcessTransport implements Transport {
  private readonly handlers = new Map<string, MessageHandler[]>();
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly keys = new KeyedQueue();

  constructor(
    private readonly contracts: ContractRegistry,
    private readonly deadLetters: DeadLetters,
    private readonly options: InProcessTransportOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? 20;
  }

  register(handler: MessageHandler): void {
    refuseUncontracted(handler, this.contracts);
    for (const type of handler.types) this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  publish(messages: readonly IntegrationMessage[]): Promise<void> {
    return Promise.all(
      messages.map((message) =>
        this.keys.run(message.key, async () => {
          await this.deliver(message);
          if (this.options.duplicateDelivery) await this.deliver(message);
        }),
      ),
    ).then(() => undefined);
  }

  async redeliver(consumer: string, message: unknown): Promise<void> {
    const handler = [...new Set([...this.handlers.values()].flat())].find((candidate) => candidate.name === consumer);
    if (!handler) throw new Error(`There is no consumer ${consumer} here.`);
    const parsed = this.contracts.parse(message as IntegrationMessage);
    if (!parsed.ok) throw new Error(parsed.error);
    if (!handler.types.includes(parsed.message.type)) throw new Error(`${consumer} does not consume ${parsed.message.type}.`);
    await this.deliverTo(handler, parsed.message);
  }

  private async deliver(message: IntegrationMessage): Promise<void> {
    const handlers = this.handlers.get(message.type) ?? [];
    if (handlers.length === 0) return;
    // Serialised and parsed as a broker would: handlers never share the publisher's objects.
    const parsed = this.contracts.parse(JSON.parse(JSON.stringify(message)) as IntegrationMessage);
    if (!parsed.ok) {
      await Promise.all(handlers.map((handler) => this.deadLetters.add({ consumer: handler.name, message, error: parsed.error, attempts: 0 })));
      return;
    }
    const outcomes = await Promise.allSettled(handlers.map((handler) => this.deliverTo(handler, parsed.message)));
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async deliverTo(handler: MessageHandler, message: IntegrationMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await handleInSpan(handler, message, IN_PROCESS);
        return;
      } catch (error) {
        this.options.onError?.(error, handler.name, message, attempt);
        if (attempt >= this.maxAttempts) throw new ConsumerFailed(handler.name, message.type, error);
        await sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
}

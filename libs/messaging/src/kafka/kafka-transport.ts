import { setTimeout as sleep } from 'node:timers/promises';
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import kafkajs, { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaMessage, type RetryOptions } from 'kafkajs';
import { Counter, Histogram } from 'prom-client';
import { KeyedQueue } from '@agora/event-sourcing';
import { LATENCY_BUCKETS, timed } from '@agora/platform';
import { refuseUncontracted, type ContractRegistry, type IntegrationMessage, type ParsedMessage } from '../message-contracts.js';
import { handleInSpan, type MessageHandler } from '../ports.js';
import type { DeadLetter, DeadLetters } from '../dead-letters.js';
import { ConsumerFailed } from '../in-process-transport.js';
import type { Transport } from '../transport.js';
import { fromRecord, headerText, toRecord } from './kafka-wire.js';
import { KafkaPublisher } from './kafka-publisher.js';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  /** The types it carries: their topics (created at start), and what a received one must match. */
  readonly contracts: ContractRegistry;
  /** Names this process to the brokers. */
  readonly clientId: string;
  /**
   * The consumer group of the handlers registered here (after the prefix): the app's name,
   * shared by its instances, which split the partitions between them. Default `clientId`.
   */
  readonly group?: string;
  /**
   * Put before every topic and consumer group name, so that several systems (or test
   * runs) can share a cluster. Default none: topics are named as the contracts say.
   */
  readonly prefix?: string;
  /** Partitions of each topic created at start. Default 3. */
  readonly partitions?: number;
  /** Tries per message before it goes to `<topic>.dlq`. Default 5. */
  readonly maxAttempts?: number;
  /** First pause between tries, doubled each time. Default 100 ms. */
  readonly backoffMs?: number;
  /**
   * How long the group waits for a silent member (e.g. a killed process) before it hands
   * its partitions to the others. Default 10 s; the broker allows 6 s at the least.
   */
  readonly sessionTimeoutMs?: number;
  /**
   * How long a handled message's offset may wait to be committed; the offsets handled
   * meanwhile go in one commit. Default 100 ms. A crash or a rebalance delivers that much
   * again, which idempotent handlers absorb; a stop commits first.
   */
  readonly commitIntervalMs?: number;
  /**
   * kafkajs's pauses between tries of a request or a connection, for the consumer group,
   * the producer and the admin alike, over `BROKER_RETRY` (from 100 ms, doubled up to 2 s,
   * 10 tries).
   */
  readonly brokerRetry?: RetryOptions;
  /**
   * Where the app's operators see the dead letters of its consumers: a consumer group of
   * its own (`<group>.dead-letters`) copies the records of the `.dlq` topics that name one
   * of this transport's consumers there, each once (`DeadLetter.source`); `redeliver` hands
   * one back to its consumer. Without it, the `.dlq` topics are the only record.
   */
  readonly deadLetterShelf?: DeadLetters;
  readonly onError?: (error: unknown, consumer: string) => void;
}

// Not a named export Node finds in kafkajs's CommonJS: taken from the module object.
const { ConfigResourceTypes } = kafkajs;

/** Where a message that cannot be handled goes, with the reason in its headers. */
export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

/**
 * Integration messages over Kafka (kafkajs). Publishing goes through one idempotent
 * producer, one request at a time, so a key's messages keep the order of the `publish`
 * calls; the calls made while a request is on its way go together in the next one.
 * `publish` resolves once every broker replica acknowledged. The handlers registered in
 * one process are one consumer group, which fetches each topic once and hands every
 * message to the handlers of its type: each handles it, retries with backoff, or sets it
 * aside in `<topic>.dlq` (a malformed one goes there at once), and only then is its
 * offset committed (with the others handled in the same `commitIntervalMs`), so a crash
 * redelivers and never skips.
 */
export class KafkaTransport implements Transport {
  private readonly kafka: Kafka;
  private readonly publisher: KafkaPublisher;
  private readonly handlers: MessageHandler[] = [];
  private consumer: Consumer | undefined;
  /** The consumer group that copies this app's dead letters to `deadLetterShelf`. */
  private shelfConsumer: Consumer | undefined;
  /** Consumers that stopped for good: kafkajs does not start a group again after an error it calls non-retriable. */
  private readonly crashed = new WeakSet<Consumer>();
  /** The transport starting the crashed consumer group again, until it runs or consuming stops. */
  private restarting: { readonly stop: AbortController; readonly done: Promise<void> } | undefined;
  private connected = false;
  /** Commits the offsets handled since the last commit; set by each batch, undefined once consuming stops. */
  private commitHandled: (() => Promise<void>) | undefined;
  private stoppingConsumer = false;
  /** The commit due at the end of the interval, once a batch was handled since the last. */
  private commitDue: NodeJS.Timeout | undefined;
  private offsetCommits = 0;
  /** The consumer group's name, before the prefix. */
  private readonly group: string;

  constructor(private readonly options: KafkaTransportOptions) {
    this.group = options.group ?? options.clientId;
    this.kafka = new Kafka({ clientId: options.clientId, brokers: [...options.brokers], logLevel: logLevel.NOTHING, retry: { ...BROKER_RETRY, ...options.brokerRetry } });
    this.publisher = new KafkaPublisher(this.kafka);
  }

  register(handler: MessageHandler): void {
    if (this.consumer) throw new Error(`${handler.name} registered after the consumer group started: register every handler before consume().`);
    refuseUncontracted(handler, this.options.contracts);
    this.handlers.push(handler);
  }

  /**
   * Creates the topics (and their dead-letter topics) and connects the producer: `publish`
   * works from here on. The topics the contracts call compacted are made so, also when an
   * earlier version created them without.
   */
  async connect(): Promise<void> {
    if (this.connected) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { contracts } = this.options;
      const compacted = new Set(contracts.compactedTopics.map((topic) => this.topic(topic)));
      const compaction = [{ name: 'cleanup.policy', value: 'compact' }];
      const topics = contracts.topics.flatMap((topic) => [this.topic(topic), deadLetterTopic(this.topic(topic))]);
      // Our own wait (`untilTopicsServed`) follows: kafkajs's gives up at the first unknown-topic answer.
      await admin.createTopics({
        waitForLeaders: false,
        topics: topics.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 3, ...(compacted.has(topic) && { configEntries: compaction }) })),
      });
      if (compacted.size > 0) await admin.alterConfigs({ validateOnly: false, resources: [...compacted].map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configEntries: compaction })) });
      await untilTopicsServed((names) => admin.fetchTopicMetadata({ topics: names }), topics);
    } finally {
      await admin.disconnect();
    }
    await this.publisher.connect();
    this.connected = true;
  }

  /** Starts the consumer group of the registered handlers (none without a handler). */
  async consume(): Promise<void> {
    await this.connect();
    if (this.handlers.length > 0 && !this.consumer) {
      this.consumer = await this.startConsumer();
      this.restartIfCrashed();
    }
    if (this.handlers.length > 0 && this.options.deadLetterShelf && !this.shelfConsumer) this.shelfConsumer = await this.startShelfConsumer(this.options.deadLetterShelf);
  }

  /** Both: connects and consumes. */
  async start(): Promise<void> {
    await this.consume();
  }

  /** Stops consuming (messages at work are finished first), once the offsets handled so far are committed. */
  async stopConsuming(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    // What is handled from here on is delivered again to the group's next member.
    this.stoppingConsumer = true;
    clearTimeout(this.commitDue);
    this.commitDue = undefined;
    const shelf = this.shelfConsumer;
    this.shelfConsumer = undefined;
    try {
      this.restarting?.stop.abort();
      await this.restarting?.done;
      await this.commitHandled?.();
      this.commitHandled = undefined;
      await consumer?.disconnect();
      await shelf?.disconnect();
    } finally {
      this.stoppingConsumer = false;
    }
  }

  /** Stops consuming, then flushes the producer and disconnects. */
  async stop(): Promise<void> {
    await this.stopConsuming();
    if (this.connected) await this.publisher.disconnect();
    this.connected = false;
  }

  /** The underlying kafkajs client, e.g. for an admin. */
  get client(): Kafka {
    return this.kafka;
  }

  /** Produce requests sent so far: fewer than the `publish` calls when calls went together. */
  get produceRequests(): number {
    return this.publisher.requests;
  }

  /** Offset commits tried so far by the consumer group (refused ones too): at most one per `commitIntervalMs`, then one at stop. */
  get commits(): number {
    return this.offsetCommits;
  }

  /** The name of `topic` on the cluster (with the prefix). */
  topic(topic: string): string {
    return `${this.options.prefix ?? ''}${topic}`;
  }

  publish(messages: readonly IntegrationMessage[]): Promise<void> {
    return this.publisher.send(messages.map((message) => ({ topic: this.topic(this.options.contracts.topicOf(message.type)), messages: [toRecord(message)] })));
  }

  /**
   * Hands a dead letter back to its consumer here, as if it had just arrived: checked
   * against its contract, then handled with the usual tries; throws what refused it (it
   * does not go to the `.dlq` again: the shelf keeps it, with the new error).
   */
  async redeliver(consumer: string, message: unknown): Promise<void> {
    // A malformed record was set aside in the group's name, for every handler of its type.
    if (consumer !== this.group && !this.handlers.some((handler) => handler.name === consumer)) throw new Error(`There is no consumer ${consumer} here.`);
    const parsed = this.options.contracts.parse(message as IntegrationMessage);
    if (!parsed.ok) throw new Error(parsed.error);
    const { message: taken } = parsed;
    const handlers = this.handlers.filter((handler) => (consumer === this.group || handler.name === consumer) && handler.types.includes(taken.type));
    if (handlers.length === 0) throw new Error(`${consumer} does not consume ${taken.type}.`);
    const source = { system: 'kafka', destination: this.topic(this.options.contracts.topicOf(taken.type)) } as const;
    for (const handler of handlers) {
      for (let attempt = 1; ; attempt++) {
        try {
          await handleInSpan(handler, taken, source);
          break;
        } catch (error) {
          this.options.onError?.(error, handler.name);
          if (attempt >= (this.options.maxAttempts ?? 5)) throw new ConsumerFailed(handler.name, taken.type, error);
          await sleep(Math.min((this.options.backoffMs ?? 100) * 2 ** (attempt - 1), 5_000));
        }
      }
    }
  }

  /**
   * Copies the `.dlq` records of this app's consumers (a handler's name, or the group's for
   * a malformed record) to the shelf, from the start of the topics: each record once, by its
   * place (`<topic>/<partition>/<offset>`), also when it is read again after a crash.
   */
  private async startShelfConsumer(shelf: DeadLetters): Promise<Consumer> {
    const ours = new Set([this.group, ...this.handlers.map((handler) => handler.name)]);
    const consumer = this.kafka.consumer({ groupId: this.topic(`${this.group}.dead-letters`) });
    consumer.on(consumer.events.CRASH, ({ payload: { error, restart } }) => {
      this.options.onError?.(new Error(`The dead letters' consumer group stopped (${describe(error)}); ${restart ? 'kafkajs starts it again' : 'it starts again with the app'}.`, { cause: error }), `${this.group}.dead-letters`);
    });
    try {
      await consumer.connect();
      const topics = [...new Set(this.handlers.flatMap((handler) => handler.types.map((type) => deadLetterTopic(this.topic(this.options.contracts.topicOf(type))))))];
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, partition, message: record }) => {
          const consumerName = headerText(record.headers, 'dlq-consumer');
          if (consumerName === undefined || !ours.has(consumerName)) return;
          let message: DeadLetter['message'];
          try {
            message = fromRecord(record);
          } catch {
            // Not JSON: kept as the text it is, for the operator to read.
            message = { type: headerText(record.headers, 'type') ?? '', key: record.key?.toString() ?? '', data: record.value?.toString() ?? null, metadata: {} };
          }
          await shelf.add({
            consumer: consumerName,
            message,
            error: headerText(record.headers, 'dlq-error') ?? '',
            attempts: Number(headerText(record.headers, 'dlq-attempts') ?? 0),
            source: `${topic}/${partition}/${record.offset}`,
          });
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return consumer;
  }

  private async startConsumer(): Promise<Consumer> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const { group } = this;
    const consumer = this.kafka.consumer({ groupId: this.topic(group), sessionTimeout, heartbeatInterval: Math.min(1_000, sessionTimeout / 3) });
    // kafkajs's own log is off: a crash of the group's consumer is reported here, with who starts it again.
    consumer.on(consumer.events.CRASH, ({ payload: { error, restart } }) => {
      const next = restart ? 'kafkajs starts it again' : 'the transport starts it again';
      this.options.onError?.(new Error(`The consumer group stopped (${describe(error)}); ${next}.`, { cause: error }), group);
      if (restart) return;
      this.crashed.add(consumer);
      this.restartIfCrashed();
    });
    try {
      await consumer.connect();
      const topics = [...new Set(this.handlers.flatMap((handler) => handler.types.map((type) => this.topic(this.options.contracts.topicOf(type)))))];
      await consumer.subscribe({ topics, fromBeginning: true });
      // Partitions are handled side by side, and within a fetched batch of one the keys too (`deliverBatch`).
      const partitions = topics.length * (this.options.partitions ?? 3);
      // kafkajs would commit after every batch (most hold a message or two): the transport commits on its interval.
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        eachBatchAutoResolve: false,
        autoCommit: false,
        eachBatch: async (payload) => {
          await this.deliverBatch(group, payload);
          this.scheduleCommit(group, payload);
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return consumer;
  }

  /**
   * Starts the consumer group again when kafkajs gave it up: it does so after an error it
   * calls non-retriable, such as `Failed to find group coordinator` from a broker starting
   * again, and the group would otherwise stay stopped until the app restarts. A
   * new consumer joins the group and carries on from the last committed offsets; tries
   * that fail are reported and repeated with backoff until one runs or consuming stops.
   */
  private restartIfCrashed(): void {
    const crashed = this.consumer;
    if (!crashed || !this.crashed.has(crashed) || this.restarting) return;
    const { initialRetryTime, maxRetryTime } = { ...BROKER_RETRY, ...this.options.brokerRetry };
    const policy = retry(handleAll, { maxAttempts: Number.POSITIVE_INFINITY, backoff: new ExponentialBackoff({ initialDelay: initialRetryTime, maxDelay: maxRetryTime }) });
    policy.onRetry((reason) => {
      if ('error' in reason) this.options.onError?.(new Error(`The consumer group did not start again (${describe(reason.error)}); trying again.`, { cause: reason.error }), this.group);
    });
    const stop = new AbortController();
    const done = policy
      .execute(async () => {
        const consumer = await this.startConsumer();
        // Consuming stopped meanwhile: the new member leaves the group again.
        if (stop.signal.aborted) return consumer.disconnect();
        // Reported by its own crash; tried again after the next pause.
        if (this.crashed.has(consumer)) throw new Error('the new consumer stopped as it started');
        this.consumer = consumer;
      }, stop.signal)
      .catch(() => undefined) // only when consuming stopped
      .finally(() => {
        this.restarting = undefined;
        // The new consumer may have crashed since.
        this.restartIfCrashed();
      });
    this.restarting = { stop, done };
  }

  /**
   * Commits the offsets handled since the last commit at the end of the interval, all the
   * group's partitions in one request. A commit refused (a rebalance under way) leaves
   * them to the next; a partition that went to another member meanwhile is delivered
   * there from its last commit.
   */
  private scheduleCommit(group: string, { commitOffsetsIfNecessary, uncommittedOffsets }: EachBatchPayload): void {
    if (this.stoppingConsumer) return;
    // The payload of the latest batch: kafkajs makes a new group member after a crash of its own.
    this.commitHandled = async () => {
      const offsets = uncommittedOffsets();
      if (offsets.topics.length === 0) return;
      try {
        this.offsetCommits++;
        await commitOffsetsIfNecessary(offsets);
        offsetCommits.inc({ outcome: 'committed' });
      } catch (error) {
        offsetCommits.inc({ outcome: 'refused' });
        this.options.onError?.(new Error(`The handled offsets were not committed, the next commit takes them: ${describe(error)}`, { cause: error }), group);
      }
    };
    this.commitDue ??= setTimeout(() => {
      this.commitDue = undefined;
      void this.commitHandled?.();
    }, this.options.commitIntervalMs ?? 100);
  }

  /**
   * A fetched batch of one partition: its keys side by side (at most `MAX_KEYS_AT_WORK` at
   * once), each key's messages in their order, as the relays do. The batch's offset is
   * resolved once all of it is handled (or set aside), and committed after: a crash or a
   * rebalance mid-batch delivers the whole batch again, which idempotent handlers absorb.
   * One message at a time per partition made every message wait for the one before it,
   * whatever its key.
   */
  private async deliverBatch(group: string, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const keys = new KeyedQueue();
    const work: Promise<void>[] = [];
    let last: string | undefined;
    for (const message of batch.messages) {
      while (!keys.hasRoomFor(keyOf(message), MAX_KEYS_AT_WORK)) await keys.keyFreed();
      if (!isRunning() || isStale()) break;
      work.push(
        keys.run(keyOf(message), async () => {
          await this.deliver(group, batch.topic, message);
          await heartbeat().catch(() => undefined); // sent at most once per heartbeat interval
        }),
      );
      last = message.offset;
    }
    await Promise.all(work);
    if (last !== undefined && isRunning() && !isStale()) resolveOffset(last);
  }

  /**
   * Never throws: a message ends handled or in the dead-letter topic for each handler of its
   * type, one handler after the other, and the partition moves on. A malformed message is
   * set aside once, in the group's name.
   */
  private async deliver(group: string, topic: string, record: KafkaMessage): Promise<void> {
    // A topic carries types none of our handlers take: those are for other apps, whose contracts this host need not know.
    const header = headerText(record.headers, 'type');
    const type = header === undefined ? undefined : this.options.contracts.current(header);
    if (type !== undefined && !this.handlers.some((handler) => handler.types.includes(type))) return;
    let parsed: ParsedMessage;
    try {
      parsed = this.options.contracts.parse(fromRecord(record));
    } catch (error) {
      parsed = { ok: false, error: `the value is not JSON: ${describe(error)}` };
    }
    if (!parsed.ok) return this.deadLetter(group, topic, record, parsed.error, 0);
    const { message } = parsed;
    for (const handler of this.handlers) if (handler.types.includes(message.type)) await this.deliverTo(handler, topic, record, message);
  }

  private async deliverTo(handler: MessageHandler, topic: string, record: KafkaMessage, message: IntegrationMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await timed(handleDuration, { handler: handler.name }, () => handleInSpan(handler, message, { system: 'kafka', destination: topic }), { ok: 'handled', failed: 'failed' });
        return;
      } catch (error) {
        this.options.onError?.(error, handler.name);
        if (attempt >= (this.options.maxAttempts ?? 5)) return this.deadLetter(handler.name, topic, record, describe(error), attempt);
        retried.inc({ handler: handler.name });
        await sleep(Math.min((this.options.backoffMs ?? 100) * 2 ** (attempt - 1), 5_000));
      }
    }
  }

  private async deadLetter(consumer: string, topic: string, record: KafkaMessage, error: string, attempts: number): Promise<void> {
    deadLettered.inc({ handler: consumer });
    const headers = { ...record.headers, 'dlq-consumer': consumer, 'dlq-error': error, 'dlq-attempts': String(attempts), 'dlq-topic': topic };
    await this.publisher.send([{ topic: deadLetterTopic(topic), messages: [{ key: record.key, value: record.value, headers }] }]);
  }
}

/**
 * Waits until the broker answers metadata for every one of `topics`, each partition with a
 * leader. kafkajs's `createTopics` waits so only when it created every topic itself (when
 * another app created some of them a moment before, as the apps of a system start side by
 * side, it returns at once), and gives up at the first `UNKNOWN_TOPIC_OR_PARTITION`, which
 * a broker that has just started answers for a while after creating a topic. A consumer
 * that subscribes before the broker serves its topics fails the same way.
 */
export async function untilTopicsServed(
  fetchMetadata: (topics: string[]) => Promise<{ topics: { name: string; partitions: { leader: number }[] }[] }>,
  topics: readonly string[],
  { timeoutMs = 30_000, pauseMs = 50 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = pauseMs; ; pause = Math.min(pause * 2, 1_000)) {
    let problem: string;
    try {
      const served = new Map((await fetchMetadata([...topics])).topics.map((topic) => [topic.name, topic.partitions]));
      const waiting = topics.filter((topic) => !served.get(topic)?.length || served.get(topic)!.some((partition) => partition.leader < 0));
      if (waiting.length === 0) return;
      problem = `no leader yet for ${waiting.join(', ')}`;
    } catch (error) {
      if (!(error as { retriable?: unknown }).retriable) throw error;
      problem = describe(error);
    }
    if (Date.now() + pause > deadline) throw new Error(`The Kafka broker did not serve the topics within ${timeoutMs} ms: ${problem}`);
    await sleep(pause);
  }
}

/**
 * kafkajs's pauses between tries of a request or a connection (also of the consumer group
 * finding a broker that went away). Its default doubles them up to 30 s, so a consumer
 * could wait that long to notice that its broker is back. Capped at 2 s, a series of 10
 * tries lasts about 13 s; a consumer group whose series failed starts again after the
 * last pause, and a publish fails to its relay, which publishes again.
 */
export const BROKER_RETRY: RetryOptions = { initialRetryTime: 100, maxRetryTime: 2_000, retries: 10 };

const handleDuration = new Histogram({
  name: 'agora_kafka_message_handle_duration_seconds',
  help: 'Messages from Kafka given to a handler, by outcome (handled, or failed and tried again or dead-lettered), and how long the handler took.',
  labelNames: ['handler', 'outcome'],
  buckets: LATENCY_BUCKETS,
});
const offsetCommits = new Counter({
  name: 'agora_kafka_offset_commits_total',
  help: "Commits of the consumer group's handled offsets, by outcome (committed, or refused: the next commit takes them).",
  labelNames: ['outcome'],
});
const retried = new Counter({
  name: 'agora_kafka_message_retries_total',
  help: 'Messages from Kafka a handler failed and is given again after a pause.',
  labelNames: ['handler'],
});
const deadLettered = new Counter({
  name: 'agora_kafka_dead_lettered_messages_total',
  help: "Messages from Kafka set aside in their topic's .dlq: malformed (labelled with the consumer group), or failed by a handler every time.",
  labelNames: ['handler'],
});

/** Keys of one fetched batch handled at once. */
const MAX_KEYS_AT_WORK = 32;

/** A record's key, by which its messages keep their order (all keyless records share one). */
function keyOf(record: KafkaMessage): string {
  return record.key?.toString() ?? '';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

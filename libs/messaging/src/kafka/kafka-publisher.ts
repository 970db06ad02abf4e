import { Histogram } from 'prom-client';
import { GroupCommit, type Pending } from '@agora/event-sourcing';
import { BATCH_SIZE_BUCKETS, LATENCY_BUCKETS, timed } from '@agora/platform';
import type { Kafka, Message as KafkaRecord, Producer, TopicMessages } from 'kafkajs';

/**
 * The publishing side of the Kafka transport: one idempotent producer, one request at a
 * time, so a key's messages keep the order of the sends; the sends made while a request
 * is on its way go together in the next one (ADR 0008). A send resolves once every broker
 * replica acknowledged it.
 */
export class KafkaPublisher {
  private producer: Producer;
  /** Sends queued while a request is on its way go together in the next, in the order they came. */
  private readonly outbox = new GroupCommit<TopicMessages[], void>((sends) => this.sendTogether(sends), { maxInFlight: 1, maxBatch: 256, keysOf: () => [] });
  /** Produce requests sent (tried), since the publisher was made. */
  private sentRequests = 0;
  /** Sends not yet answered, for `disconnect` to wait for. */
  private readonly unanswered = new Set<Promise<void>>();

  constructor(private readonly kafka: Kafka) {
    this.producer = this.newProducer();
  }

  /** Produce requests sent so far: fewer than the sends when sends went together. */
  get requests(): number {
    return this.sentRequests;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Waits for the sends under way, then disconnects. */
  async disconnect(): Promise<void> {
    await Promise.allSettled(this.unanswered);
    await this.producer.disconnect();
  }

  send(records: TopicMessages[]): Promise<void> {
    const sent = this.outbox.submit(records);
    this.unanswered.add(sent);
    void sent.finally(() => this.unanswered.delete(sent)).catch(() => undefined);
    return sent;
  }

  /**
   * One request for sends that queued together (more than one when a request would grow
   * past `MAX_RECORDS_PER_REQUEST`), each topic's records in the order of the sends. A
   * failure fails every send of the request: the relays publish theirs again. A producer
   * whose sequence numbers the broker no longer accepts (after a broker restart mid-send,
   * say) refuses every later send, so it is replaced and the request tried once more with
   * the new one: a request that failed may have been written, and idempotent receivers
   * absorb the copy.
   */
  private async sendTogether(sends: readonly Pending<TopicMessages[], void>[]): Promise<void> {
    for (const request of requestsOf(sends.map((send) => send.item))) {
      producedRecords.observe(request.reduce((sum, { messages }) => sum + messages.length, 0));
      const attempt = () => {
        this.sentRequests++;
        return timed(produceDuration, {}, () => this.producer.sendBatch({ acks: -1, topicMessages: request }), { ok: 'acknowledged', failed: 'failed' });
      };
      try {
        await attempt();
      } catch (error) {
        if (!producerStateLost(error)) throw error;
        await this.replaceProducer();
        await attempt();
      }
    }
    for (const send of sends) send.resolve();
  }

  private async replaceProducer(): Promise<void> {
    const stale = this.producer;
    this.producer = this.newProducer();
    await stale.disconnect().catch(() => undefined);
    await this.producer.connect();
  }

  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }
}

/** Records in one produce request, at the most: a request that would hold more is split (a send never is). */
const MAX_RECORDS_PER_REQUEST = 500;

/** Sends' records as produce requests: each topic's records in the order of the sends. */
const produceDuration = new Histogram({
  name: 'agora_kafka_produce_request_duration_seconds',
  help: "Produce requests sent to Kafka, by outcome (acknowledged by every replica, or failed), and how long the broker took to answer.",
  labelNames: ['outcome'],
  buckets: LATENCY_BUCKETS,
});
const producedRecords = new Histogram({
  name: 'agora_kafka_produce_request_records',
  help: 'Records per produce request sent to Kafka.',
  buckets: BATCH_SIZE_BUCKETS,
});

export function requestsOf(sends: readonly TopicMessages[][]): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let byTopic = new Map<string, KafkaRecord[]>();
  let records = 0;
  for (const send of sends) {
    const size = send.reduce((sum, { messages }) => sum + messages.length, 0);
    if (records > 0 && records + size > MAX_RECORDS_PER_REQUEST) {
      requests.push([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      byTopic = new Map();
      records = 0;
    }
    for (const { topic, messages } of send) {
      const topicRecords = byTopic.get(topic) ?? [];
      topicRecords.push(...messages);
      byTopic.set(topic, topicRecords);
    }
    records += size;
  }
  if (records > 0) requests.push([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  return requests;
}

/** Broker answers after which an idempotent producer cannot send again; a new one can. */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** Whether `error` (or an error it wraps, as kafkajs's retry and aggregate errors do) is such an answer. */
export function producerStateLost(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 8) return false;
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown };
  if (typeof type === 'string' && PRODUCER_STATE_LOST.has(type)) return true;
  return producerStateLost(cause, depth + 1) || (Array.isArray(errors) && errors.some((inner) => producerStateLost(inner, depth + 1)));
}

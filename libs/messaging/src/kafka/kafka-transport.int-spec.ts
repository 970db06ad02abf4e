import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createTestDatabase } from '../../../testing/src/postgres.js';
import { until } from '../../../testing/src/until.js';
import { LocalKafka } from '../../../testing/src/local-kafka.js';
import { PROBE_CONTRACTS, type ProbeMessage } from '../../../testing/src/probe-messages.js';
import { PostgresDeadLetters } from '../dead-letters.js';
import { ContractRegistry, type IntegrationMessage } from '../message-contracts.js';
import { migrateMessaging } from '../schema.js';
import type { MessageHandler } from '../ports.js';
import { deadLetterTopic, KafkaTransport } from './kafka-transport.js';
import { headerText, toRecord } from './kafka-wire.js';

// A real broker: the jest global setup starts scripts/kafka.sh, or KAFKA_BROKERS names one.
const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',');
const TOPIC = 'probe.events.v1';
const contracts = ContractRegistry.of(PROBE_CONTRACTS);

function released(orderId: string, correlationId: string = randomUUID()): IntegrationMessage<ProbeMessage> {
  return {
    type: 'probe.order-released.v1',
    key: orderId,
    data: { orderId },
    metadata: { messageId: randomUUID(), correlationId, causationId: correlationId, occurredAt: new Date().toISOString(), schemaVersion: 1, userId: 'u-1' },
  } as IntegrationMessage<ProbeMessage>;
}

/** Records what it is given; fails for the message ids it is told to, and holds those it is told to until released. */
class Recorder implements MessageHandler<ProbeMessage> {
  readonly types = ['probe.order-released.v1'] as const;
  readonly received: IntegrationMessage<ProbeMessage>[] = [];
  readonly failFor = new Set<string>();
  readonly holdFor = new Map<string, Promise<void>>();
  constructor(readonly name: string) {}
  async handle(message: IntegrationMessage<ProbeMessage>): Promise<void> {
    if (this.failFor.has(message.metadata.messageId)) throw new Error(`cannot handle ${message.metadata.messageId}`);
    await this.holdFor.get(message.metadata.messageId);
    this.received.push(message);
  }
}

describe('KafkaTransport on a real broker', () => {
  const group = `test-${randomUUID().slice(0, 8)}`;
  const recorder = new Recorder(`${group}.recorder`);
  // A second handler of the same type, in the same process: the two share one consumer group.
  const second = new Recorder(`${group}.second`);
  const transport = new KafkaTransport({ contracts, brokers, clientId: group, maxAttempts: 2, backoffMs: 10 });
  const kafka = new Kafka({ clientId: `${group}-probe`, brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    transport.register(recorder);
    transport.register(second);
    await transport.start();
  }, 60_000);
  afterAll(() => transport.stop(), 30_000);

  /** Reads a topic from its start with a plain kafkajs consumer until `enough` says so. */
  async function readTopic(topic: string, enough: (records: { key: string; value: string; headers: Record<string, string> }[]) => boolean) {
    const consumer = kafka.consumer({ groupId: `${group}-reader-${randomUUID().slice(0, 6)}` });
    const records: { key: string; value: string; headers: Record<string, string> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.keys(message.headers ?? {}).map((name) => [name, headerText(message.headers, name)!]));
        records.push({ key: message.key!.toString(), value: message.value!.toString(), headers });
      },
    });
    try {
      await until(() => enough(records), 20_000);
    } finally {
      await consumer.disconnect();
    }
    return records;
  }

  it('delivers a published message to its handler as it was sent, and a stock client reads JSON and headers', async () => {
    const message = released(randomUUID(), 'req-7');
    await transport.publish([message]);
    await until(() => recorder.received.some((m) => m.metadata.messageId === message.metadata.messageId), 20_000);
    expect(recorder.received.find((m) => m.metadata.messageId === message.metadata.messageId)).toEqual(message);

    const records = await readTopic(TOPIC, (all) => all.some((r) => r.key === message.key));
    const record = records.find((r) => r.key === message.key)!;
    expect(JSON.parse(record.value)).toEqual({ orderId: message.key });
    expect(record.headers).toEqual({
      type: 'probe.order-released.v1',
      'message-id': message.metadata.messageId,
      'correlation-id': 'req-7',
      'causation-id': 'req-7',
      'occurred-at': message.metadata.occurredAt,
      'schema-version': '1',
      'user-id': 'u-1',
    });
  }, 60_000);

  it('keeps the order of one key across overlapping publish calls, and sends the calls made meanwhile together', async () => {
    const key = randomUUID();
    const sent = Array.from({ length: 20 }, (_, i) => released(key, `seq-${i}`));
    const requestsBefore = transport.produceRequests;
    await Promise.all(sent.map((message) => transport.publish([message])));
    // The first call goes alone; the 19 made while it was on its way go in one request.
    expect(transport.produceRequests - requestsBefore).toBe(2);
    await until(() => recorder.received.filter((m) => m.key === key).length === 20, 20_000);
    expect(recorder.received.filter((m) => m.key === key).map((m) => m.metadata.correlationId)).toEqual(sent.map((m) => m.metadata.correlationId));
  }, 60_000);

  it('hands out a record written under a former name of a type as that type', async () => {
    const message = released(randomUUID());
    const producer = kafka.producer();
    await producer.connect();
    const record = toRecord(message);
    await producer.send({ topic: TOPIC, messages: [{ ...record, headers: { ...record.headers, type: 'probe.order-freed.v1' } }] });
    await producer.disconnect();
    await until(() => recorder.received.some((m) => m.metadata.messageId === message.metadata.messageId), 20_000);
    expect(recorder.received.find((m) => m.metadata.messageId === message.metadata.messageId)).toEqual(message);
  }, 60_000);

  it('handles the other keys of a partition while one key waits, and keeps the order of that key', async () => {
    const [slow, quick] = [randomUUID(), randomUUID()];
    const [held, after, other] = [released(slow), released(slow), released(quick)];
    let release!: () => void;
    recorder.holdFor.set(held.metadata.messageId, new Promise<void>((resolve) => (release = resolve)));
    const producer = kafka.producer();
    await producer.connect();
    // One partition for all three, in this order.
    await producer.send({ topic: TOPIC, messages: [held, after, other].map((message) => ({ ...toRecord(message), partition: 0 })) });
    await producer.disconnect();
    const got = (message: IntegrationMessage<ProbeMessage>) => recorder.received.some((m) => m.metadata.messageId === message.metadata.messageId);
    try {
      await until(() => got(other), 20_000);
      expect([got(held), got(after)]).toEqual([false, false]);
    } finally {
      release();
    }
    await until(() => got(after), 20_000);
    const ids = recorder.received.map((m) => m.metadata.messageId);
    expect(ids.indexOf(held.metadata.messageId)).toBeLessThan(ids.indexOf(after.metadata.messageId));
  }, 60_000);

  it('sets aside a message that keeps failing, with the error in its headers, and the partition moves on', async () => {
    // One key, so one partition: the message after the poisoned one must still come through.
    const key = randomUUID();
    const [poisoned, next] = [released(key), released(key)];
    recorder.failFor.add(poisoned.metadata.messageId);
    await transport.publish([poisoned, next]);
    await until(() => recorder.received.some((m) => m.metadata.messageId === next.metadata.messageId), 20_000);
    const letters = await readTopic(deadLetterTopic(TOPIC), (all) => all.some((r) => r.headers['message-id'] === poisoned.metadata.messageId));
    expect(letters.find((r) => r.headers['message-id'] === poisoned.metadata.messageId)!.headers).toMatchObject({
      'dlq-consumer': recorder.name,
      'dlq-error': `Error: cannot handle ${poisoned.metadata.messageId}`,
      'dlq-attempts': '2',
      type: 'probe.order-released.v1',
    });
  }, 60_000);

  it('reads a topic once for all the handlers of the process: each gets its messages, and one failing sets aside only its own', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = (await admin.listGroups()).groups.map((listed) => listed.groupId).filter((id) => id.startsWith(group) && !id.startsWith(`${group}-reader-`));
      expect(groups).toEqual([group]);
      const [described] = (await admin.describeGroups([group])).groups;
      expect(described!.members).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }

    const key = randomUUID();
    const [failsForOne, next] = [released(key), released(key)];
    second.failFor.add(failsForOne.metadata.messageId);
    await transport.publish([failsForOne, next]);
    const ids = (handler: Recorder) => handler.received.filter((m) => m.key === key).map((m) => m.metadata.messageId);
    await until(() => ids(second).length === 1 && ids(recorder).length === 2, 20_000);
    expect(ids(recorder)).toEqual([failsForOne.metadata.messageId, next.metadata.messageId]);
    expect(ids(second)).toEqual([next.metadata.messageId]);
    const letters = await readTopic(deadLetterTopic(TOPIC), (all) => all.some((r) => r.headers['message-id'] === failsForOne.metadata.messageId));
    expect(letters.filter((r) => r.headers['message-id'] === failsForOne.metadata.messageId).map((r) => r.headers['dlq-consumer'])).toEqual([second.name]);
  }, 60_000);

  it('sends a malformed record (not JSON, or breaking its contract) straight to the dead-letter topic, and passes over a type no handler here takes', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const [notJson, invalid, fine] = [randomUUID(), randomUUID(), randomUUID()];
    await producer.send({
      topic: TOPIC,
      messages: [
        { key: notJson, value: '{not json', headers: { type: 'probe.order-released.v1' } },
        // Every header right, the body breaking the contract.
        { ...toRecord(released(invalid)), value: JSON.stringify({ orderId: 'not-a-uuid' }) },
        // A type for another app, which this host has no contract for: passed over, not set aside. Same key as `fine`, so handled before it.
        { key: fine, value: JSON.stringify({ parcel: 1 }), headers: { type: 'warehouse.parcel-packed.v1' } },
      ],
    });
    await producer.disconnect();
    await transport.publish([released(fine)]);
    await until(() => recorder.received.some((m) => m.key === fine), 20_000);
    const letters = await readTopic(deadLetterTopic(TOPIC), (all) => [notJson, invalid].every((key) => all.some((r) => r.key === key)));
    expect(letters.find((r) => r.key === notJson)!.headers).toMatchObject({ 'dlq-attempts': '0', 'dlq-error': expect.stringMatching(/not JSON/) });
    expect(letters.find((r) => r.key === invalid)!.headers['dlq-error']).toMatch(/orderId/);
    expect(recorder.received.some((m) => m.key === notJson || m.key === invalid)).toBe(false);
    expect(letters.some((r) => r.key === fine)).toBe(false);
    // Set aside once for the process, in its group's name, not once per handler.
    expect(letters.filter((r) => r.key === notJson).map((r) => r.headers['dlq-consumer'])).toEqual([group]);
  }, 60_000);

  it('commits what it handled once its interval ends and when it stops, so a new member of the group delivers none of it again', async () => {
    const prefix = `${group}-c.`;
    const name = `${group}-commits`;
    const topic = `${prefix}${TOPIC}`;
    const admin = kafka.admin();
    await admin.connect();
    /**
     * The group's committed offset of each partition against the partition's end: what it
     * commits once it has handled everything. A partition none of the random keys went to
     * is empty, and has no commit (Kafka answers -1).
     */
    const offsets = async () => {
      const ends = (await admin.fetchTopicOffsets(topic))
        .map(({ partition, high }) => ({ partition, offset: high === '0' ? '-1' : high }))
        .sort((a, b) => a.partition - b.partition);
      const [committed] = await admin.fetchOffsets({ groupId: `${prefix}${name}`, topics: [topic] });
      return { ends, committed: committed!.partitions.map(({ partition, offset }) => ({ partition, offset })).sort((a, b) => a.partition - b.partition) };
    };
    const first = new Recorder(`${name}.first`);
    const before = new KafkaTransport({ contracts, brokers, clientId: name, prefix, commitIntervalMs: 600_000 });
    before.register(first);
    const keys = Array.from({ length: 12 }, () => randomUUID());
    try {
      await before.start();
      // One at a time, a batch each; the interval is far from over.
      for (const key of keys) {
        await before.publish([released(key)]);
        await until(() => first.received.some((m) => m.key === key), 20_000);
      }
      expect(before.commits).toBe(0);
      await before.stop();
      expect(before.commits).toBe(1);
      const stopped = await offsets();
      expect(stopped.committed).toEqual(stopped.ends);

      // The next member of the group starts after them, and commits on its own interval (100 ms).
      const next = new Recorder(`${name}.next`);
      const after = new KafkaTransport({ contracts, brokers, clientId: name, prefix });
      after.register(next);
      await after.start();
      try {
        const marker = randomUUID();
        await after.publish([released(marker)]);
        await until(() => next.received.some((m) => m.key === marker), 20_000);
        expect(next.received.map((m) => m.key)).toEqual([marker]);
        await until(async () => {
          const running = await offsets();
          return JSON.stringify(running.committed) === JSON.stringify(running.ends);
        }, 20_000);
      } finally {
        await after.stop();
      }
    } finally {
      await before.stop();
      await admin.disconnect();
    }
  }, 90_000);
});

describe('KafkaTransport when its broker stops and starts again', () => {
  let broker: LocalKafka;

  beforeAll(async () => {
    broker = await LocalKafka.start();
  }, 120_000);
  afterAll(() => broker?.stop(), 60_000);

  // kafkajs gives a consumer group up after an error it calls non-retriable (`Failed to find
  // group coordinator` from a broker starting again, at times); `restartOnFailure` makes it
  // give up after any, as it would then, and the transport starts the group again itself.
  it.each([
    { starter: 'kafkajs', brokerRetry: {} },
    { starter: 'the transport', brokerRetry: { restartOnFailure: () => Promise.resolve(false) } },
  ])('delivers what was published before and after, and says that its consumer stopped and $starter started it again', async ({ starter, brokerRetry }) => {
    const recorder = new Recorder('restart.recorder');
    const reports: string[] = [];
    const prefix = `${starter.replace(' ', '-')}.`;
    const transport = new KafkaTransport({ contracts, brokers: [broker.brokers], clientId: 'restart', prefix, brokerRetry, onError: (error) => reports.push(String((error as Error).message)) });
    transport.register(recorder);
    const before = Array.from({ length: 10 }, () => randomUUID());
    const after = Array.from({ length: 10 }, () => randomUUID());
    const delivered = (keys: readonly string[]) => keys.every((key) => recorder.received.some((m) => m.key === key));
    await transport.start();
    try {
      for (const key of before) await transport.publish([released(key)]);
      await until(() => delivered(before), 30_000);

      await broker.pause();
      await until(() => reports.some((report) => report.startsWith('The consumer group stopped')), 60_000);
      await broker.resume();
      // As a relay does: publish again until the broker takes it.
      for (const key of after) await until(() => transport.publish([released(key)]).then(() => true, () => false), 60_000);

      await until(() => delivered(after), 60_000);
      expect(new Set(recorder.received.map((m) => m.key))).toEqual(new Set([...before, ...after]));
      expect(reports).toContainEqual(expect.stringMatching(new RegExp(`^The consumer group stopped \\(.+\\); ${starter} starts it again\\.$`)));
    } finally {
      await transport.stop();
    }
  }, 240_000);
});

describe('KafkaTransport with a shelf for its dead letters (real broker and PostgreSQL)', () => {
  let pool: pg.Pool;
  let shelf: PostgresDeadLetters;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('kafka_dead_letters'), max: 4 });
    await migrateMessaging(pool);
    shelf = new PostgresDeadLetters(pool);
  });
  afterAll(() => pool.end());

  it('copies its consumers’ .dlq records to the shelf once each, and a replay hands one back to its consumer', async () => {
    const group = `shelf-${randomUUID().slice(0, 8)}`;
    const recorder = new Recorder(`${group}.recorder`);
    const transport = new KafkaTransport({ contracts, brokers, clientId: group, maxAttempts: 2, backoffMs: 10, deadLetterShelf: shelf });
    transport.register(recorder);
    await transport.start();
    try {
      const poisoned = released(randomUUID());
      recorder.failFor.add(poisoned.metadata.messageId);
      await transport.publish([poisoned]);
      const ours = async () => (await shelf.list()).filter((letter) => letter.consumer === recorder.name);
      await until(async () => (await ours()).length === 1, 30_000);
      const [letter] = await ours();
      expect(letter).toMatchObject({
        message: { type: 'probe.order-released.v1', key: poisoned.key, data: poisoned.data, metadata: expect.objectContaining({ messageId: poisoned.metadata.messageId }) },
        error: `Error: cannot handle ${poisoned.metadata.messageId}`,
        attempts: 2,
        source: expect.stringMatching(new RegExp(`^${deadLetterTopic(TOPIC).replace(/\./g, '\\.')}/\\d+/\\d+$`)),
      });

      // Refused again while the fault lasts: kept, with the error and one more attempt.
      const replay = () => shelf.replay(letter!.id, (kept) => transport.redeliver(kept.consumer, kept.message));
      expect(await replay()).toEqual({ replayed: false, error: `${recorder.name} failed on probe.order-released.v1: cannot handle ${poisoned.metadata.messageId}` });
      expect((await ours())[0]).toMatchObject({ id: letter!.id, attempts: 3 });

      recorder.failFor.delete(poisoned.metadata.messageId);
      expect(await replay()).toEqual({ replayed: true });
      expect(recorder.received.filter((message) => message.metadata.messageId === poisoned.metadata.messageId)).toHaveLength(1);
      expect(await ours()).toEqual([]);
    } finally {
      await transport.stop();
    }

    // Another reader of the .dlq topics for the same consumers (a new group, from the start):
    // the record it copies again is known, and the replayed letter is not listed again.
    const again = new KafkaTransport({ contracts, brokers, clientId: `${group}-again`, group: `${group}-again`, deadLetterShelf: shelf });
    const sameName = new Recorder(recorder.name);
    again.register(sameName);
    const kept = async () => Number((await pool.query('SELECT count(*) FROM messaging.dead_letters WHERE consumer = $1', [recorder.name])).rows[0].count);
    expect(await kept()).toBe(1);
    await again.start();
    try {
      const shelfGroup = `${group}-again.dead-letters`;
      const admin = new Kafka({ clientId: `${group}-probe`, brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        // Once its group has read the .dlq topic to its end.
        await until(async () => {
          const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId: shelfGroup, topics: [deadLetterTopic(TOPIC)] }), admin.fetchTopicOffsets(deadLetterTopic(TOPIC))]);
          const end = new Map(ends.map(({ partition, high, low }) => [partition, { high, low }]));
          // A partition with nothing in it has no committed offset (-1).
          return committed[0]!.partitions.every(({ partition, offset }) => offset === end.get(partition)!.high || (offset === '-1' && end.get(partition)!.high === end.get(partition)!.low));
        }, 30_000);
      } finally {
        await admin.disconnect();
      }
      expect(await kept()).toBe(1);
      expect((await shelf.list()).filter((letter) => letter.consumer === recorder.name)).toEqual([]);
    } finally {
      await again.stop();
    }
  }, 120_000);
});

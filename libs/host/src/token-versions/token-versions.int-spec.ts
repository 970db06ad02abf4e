import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { TOPICS, type Message, type MessageType } from '@agora/contracts';
import { KafkaTransport, type MessageHandler, type IntegrationMessage } from '@agora/messaging';
import { readSideForTest, type ReadSideForTest } from '../../../testing/src/read-models.js';
import { until } from '../../../testing/src/until.js';
import { TOKEN_HOLDER_CACHE_MS } from '@agora/platform';
import { TOKEN_VERSIONS, TokenVersionHolders, TokenVersionsHandler } from './token-versions.js';
import { contractsOf } from '../context-definition.js';
import { tokenVersionsReadModel } from './token-versions.read-model.js';

// Real PostgreSQL and a real broker (the jest global setup starts scripts/kafka.sh, or KAFKA_BROKERS names one).
const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',');

function changed(userId: string, tokenVersion: number, messageId: string = randomUUID()): IntegrationMessage<Message<'user.token-version-changed.v1'>> {
  const occurredAt = new Date().toISOString();
  return {
    type: 'user.token-version-changed.v1',
    key: userId,
    data: { userId, tokenVersion },
    metadata: { messageId, correlationId: messageId, causationId: messageId, occurredAt, schemaVersion: 1 },
  };
}

/** The handler as the transport sees it, counting the messages it has finished. */
class Counted implements MessageHandler {
  readonly handled: string[] = [];
  constructor(private readonly inner: TokenVersionsHandler) {}
  get name() {
    return this.inner.name;
  }
  get types(): readonly MessageType[] {
    return this.inner.types;
  }
  async handle(message: IntegrationMessage<Message>): Promise<void> {
    await this.inner.handle(message);
    this.handled.push(message.metadata.messageId);
  }
}

/** One app's table, cache and consumer group, on its own database. */
interface App {
  readonly side: ReadSideForTest;
  readonly holders: TokenVersionHolders;
  readonly consumer: Counted;
  readonly transport: KafkaTransport;
}

describe('the token versions of an app without the user context, from user messages on Kafka', () => {
  const prefix = `t${randomUUID().slice(0, 8)}.`;
  const apps: App[] = [];
  // What an app of another context carries for them: the message it consumes.
  const contracts = contractsOf([TOKEN_VERSIONS]);
  let publisher: KafkaTransport;

  async function startApp(name: string): Promise<App> {
    const side = await readSideForTest(`token_versions_${name}`, tokenVersionsReadModel);
    const holders = new TokenVersionHolders(side.readModels);
    const consumer = new Counted(new TokenVersionsHandler(name, side.readModels, holders));
    const transport = new KafkaTransport({ contracts, brokers, clientId: `${prefix}${name}`, prefix });
    transport.register(consumer);
    await transport.start();
    const app = { side, holders, consumer, transport };
    apps.push(app);
    return app;
  }

  const stored = async (app: App, userId: string) =>
    ((await app.side.readModels.query('SELECT token_version FROM token_versions.user_token_versions WHERE user_id = $1', [userId])) as { token_version: number }[])[0]?.token_version;
  /** The app stored `version` for the user, refuses the tokens of the version before and takes those of this one. */
  const expectVersion = async (app: App, userId: string, version: number, role: 'customer' | 'admin') => {
    expect(await stored(app, userId)).toBe(version);
    expect(await app.holders.roleFor(userId, version - 1, role)).toBeUndefined();
    expect(await app.holders.roleFor(userId, version, role)).toBe(role);
  };
  const handledAll = (app: App, messages: readonly IntegrationMessage<Message>[]) => until(() => messages.every((m) => app.consumer.handled.includes(m.metadata.messageId)), 20_000);

  let order: App;
  beforeAll(async () => {
    publisher = new KafkaTransport({ contracts, brokers, clientId: `${prefix}user`, prefix });
    await publisher.connect();
    order = await startApp('order');
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) {
      await app.transport.stop();
      await app.side.close();
    }
    await publisher?.stop();
  }, 30_000);

  it('lets a user it has no message about use tokens of the initial version and later, in the role the token claims', async () => {
    const userId = randomUUID();
    expect(await order.holders.roleFor(userId, 0, 'customer')).toBe('customer');
    expect(await order.holders.roleFor(userId, 1, 'admin')).toBe('admin');
    expect(await order.holders.roleFor('not-a-uuid', 0, 'customer')).toBeUndefined();
    expect(await stored(order, userId)).toBeUndefined();
  });

  it('refuses the tokens older than a version it was told of, at once in the process that applied it', async () => {
    const userId = randomUUID();
    expect(await order.holders.roleFor(userId, 0, 'customer')).toBe('customer'); // now cached as never revoked
    const message = changed(userId, 1);
    await publisher.publish([message]);
    await handledAll(order, [message]);
    await expectVersion(order, userId, 1, 'customer');
  });

  it('never moves a version back: not for a message delivered again, nor for an older one after a newer', async () => {
    const userId = randomUUID();
    const third = changed(userId, 3);
    const messages = [changed(userId, 2), third, changed(userId, 1), third, changed(userId, 2)];
    await publisher.publish(messages);
    await until(() => order.consumer.handled.filter((id) => messages.some((m) => m.metadata.messageId === id)).length >= messages.length, 20_000);
    await expectVersion(order, userId, 3, 'customer');
  });

  it('gives an app that starts later every version moved on before, from the compacted topic', async () => {
    const earlier = randomUUID();
    const message = changed(earlier, 4);
    await publisher.publish([message]);
    const late = await startApp('recommendation');
    await handledAll(late, [message]);
    await expectVersion(late, earlier, 4, 'admin');

    const admin = publisher.client.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: `${prefix}${TOPICS.userEvents}`, configNames: ['cleanup.policy'] }] });
      expect(resources[0]!.configEntries).toEqual([expect.objectContaining({ configName: 'cleanup.policy', configValue: 'compact' })]);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);

  it(`sees in another instance of the app, sharing its table, a version moved on within ${TOKEN_HOLDER_CACHE_MS} ms`, async () => {
    const other = new TokenVersionHolders(order.side.readModels);
    const userId = randomUUID();
    expect(await other.roleFor(userId, 0, 'customer')).toBe('customer');
    const message = changed(userId, 1);
    await publisher.publish([message]);
    await handledAll(order, [message]);
    const applied = Date.now();
    await until(async () => (await other.roleFor(userId, 0, 'customer')) === undefined, TOKEN_HOLDER_CACHE_MS + 2_000);
    expect(Date.now() - applied).toBeLessThanOrEqual(TOKEN_HOLDER_CACHE_MS + 1_000);
  }, 15_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { DistributedShop, LocalKafka, type HostProcess } from '@agora/testing';
import { ShopClient, type OrderView } from '../checkout/shop-client.js';

// The distributed apps as separate processes on real PostgreSQL and real Kafka, under the
// faults a deployment meets: a crashed app, a broker that goes away, a poison message.

// One customer's 50 orders may all be pending while a fault lasts: more than a customer may have by default.
const ENV = { LOG_LEVEL: 'warn', CHECKOUT_PAYMENT_TIMEOUT_MS: '8000', ORDER_MAX_PENDING_PER_CUSTOMER: '100' };
const TERMINAL = new Set(['CONFIRMED', 'REJECTED', 'CANCELLED']);

interface Placed {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Places an order, and again with the same Idempotency-Key while its app is down or restarting. */
async function placeSurely(shop: ShopClient, sku: string, quantity: number, token: string): Promise<Placed> {
  const key = randomUUID();
  for (const started = Date.now(); ; await sleep(100)) {
    try {
      return { orderId: await shop.placeOrder([{ sku, quantity }], token, key), sku, quantity };
    } catch (error) {
      if (Date.now() - started > 60_000) throw error;
    }
  }
}

/** 50 orders over the products, one in seven with a declined card; `during` runs once `after` orders are in. */
async function placeFifty(shop: ShopClient, skus: readonly string[], after: number, during: () => Promise<void>): Promise<Placed[]> {
  const placed: Placed[] = [];
  let fault: Promise<void> | undefined;
  for (let i = 0; i < 50; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: 5 }, (_, j) => placeSurely(shop, skus[(i + j) % skus.length]!, 1 + ((i + j) % 2), (i + j) % 7 === 3 ? 'tok_chargeDeclined' : 'tok_visa')),
    );
    placed.push(...batch);
    if (!fault && placed.length >= after) fault = during();
  }
  await fault;
  return placed;
}

/** Every order ends, and stock and money agree with the outcomes: nothing lost, nothing doubled. */
async function expectBalanced(shop: ShopClient, apps: DistributedShop, placed: readonly Placed[], stock: ReadonlyMap<string, number>): Promise<void> {
  const outcomes = new Map<string, OrderView>();
  for (const { orderId } of placed) {
    const outcome = await shop.until(() => shop.order(orderId), (order) => TERMINAL.has(order.status), 60_000).catch(async (error: Error) => {
      // Where its checkout stopped, and what the apps printed, say why.
      const saga = await shop.request('GET', `/api/orders/${orderId}/saga`, undefined, {}, 'admin');
      throw new Error(`order ${orderId}: ${error.message}\ncheckout: ${JSON.stringify(saga.body)}\n${apps.output()}`);
    });
    outcomes.set(orderId, outcome);
  }
  expect([...outcomes.values()].filter((order) => order.status === 'CONFIRMED').length).toBeGreaterThan(0);

  for (const [sku, initial] of stock) {
    const sold = placed.filter((order) => order.sku === sku && outcomes.get(order.orderId)!.status === 'CONFIRMED').reduce((sum, order) => sum + order.quantity, 0);
    // The last hop goes through the broker too: as long to converge as the orders had.
    const product = await shop.eventually(() => shop.product(sku), { reserved: 0, sold }, 60_000).catch(async (error: Error) => {
      // Which of the product's checkouts left stock held or unsold, and what the apps printed, say why.
      const checkouts = [];
      for (const order of placed.filter((o) => o.sku === sku)) {
        const saga = await shop.request('GET', `/api/orders/${order.orderId}/saga`, undefined, {}, 'admin');
        checkouts.push({ ...order, status: outcomes.get(order.orderId)!.status, saga: saga.body });
      }
      throw new Error(`${sku}, expected sold ${sold}: ${error.message}\n${JSON.stringify(checkouts, null, 1)}\n${apps.output()}`);
    });
    expect(product).toMatchObject({ sku, available: initial - sold, reserved: 0, sold });
  }
  for (const { orderId } of placed) {
    const status = outcomes.get(orderId)!.status;
    const payments = await shop.until(
      () => shop.payments(orderId),
      (p) => [...p.charges, ...p.refunds].every((entry) => entry.status !== 'pending'),
      60_000,
    );
    const captured = payments.charges.filter((charge) => charge.status === 'captured').length;
    const refunded = payments.refunds.filter((refund) => refund.status === 'refunded').length;
    // Confirmed: charged once, and kept. Otherwise: charged at most once, and given back.
    expect({ orderId, status, captured: Math.min(captured, 2), refunded }).toEqual(
      status === 'CONFIRMED' ? { orderId, status, captured: 1, refunded: 0 } : { orderId, status, captured: Math.min(captured, 1), refunded: captured },
    );
  }
}

async function stockedProducts(shop: ShopClient): Promise<Map<string, number>> {
  const stock = new Map<string, number>();
  for (let i = 0; i < 3; i++) stock.set(await shop.addProduct(25), 25);
  return stock;
}

async function activeInstance(hosts: readonly HostProcess[]): Promise<HostProcess | undefined> {
  for (const host of hosts) {
    const health = (await (await fetch(`${host.url}/health`)).json()) as { info: { backgroundWork: { active: boolean } } };
    if (health.info.backgroundWork.active) return host;
  }
  return undefined;
}

describe('the distributed apps under faults', () => {
  let apps: DistributedShop;
  let shop: ShopClient;
  let kafka: Kafka;

  beforeAll(async () => {
    apps = await DistributedShop.start({ env: ENV });
    shop = await ShopClient.signIn((path) => apps.urlFor(path));
    kafka = new Kafka({ clientId: 'faults-test', brokers: process.env['KAFKA_BROKERS']!.split(','), logLevel: logLevel.NOTHING });
  }, 90_000);

  afterAll(async () => {
    for (const { app, exit } of (await apps?.stop()) ?? []) expect({ app, exit }).toEqual({ app, exit: { code: 0, signal: null } });
  }, 60_000);

  /** Reads a topic from its start with a plain kafkajs consumer until `found` picks a record. */
  async function findRecord(topic: string, found: (record: { key: string; value: string; headers: Record<string, string> }) => boolean) {
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    let match: { key: string; value: string; headers: Record<string, string> } | undefined;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        const record = { key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers };
        if (!match && found(record)) match = record;
      },
    });
    try {
      await shop.until(async () => match, (value) => value !== undefined, 20_000);
      return match!;
    } finally {
      await consumer.disconnect();
    }
  }

  it('publishes integration messages that a stock Kafka client reads: key, JSON body, metadata headers', async () => {
    const sku = await shop.addProduct(5);
    const orderId = await shop.placeOrder([{ sku, quantity: 1 }]);
    expect(await shop.settled(orderId)).toMatchObject({ status: 'CONFIRMED' });

    const record = await findRecord(`${apps.topicPrefix}order.events.v1`, (r) => r.key === orderId && r.headers['type'] === 'order.order-confirmed.v1');
    expect(JSON.parse(record.value)).toMatchObject({ orderId, lines: [expect.objectContaining({ sku, quantity: 1 })], currency: 'EUR' });
    expect(record.headers).toMatchObject({
      type: 'order.order-confirmed.v1',
      'message-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'correlation-id': expect.any(String),
      'causation-id': expect.any(String),
      'schema-version': '1',
    });
    expect(Number.isNaN(Date.parse(record.headers['occurred-at']!))).toBe(false);
  });

  it('sets a poison message on an events topic aside in its DLQ and handles the next one', async () => {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const producer = kafka.producer();
    await producer.connect();
    // The same key as the product added next: the same partition, right before it.
    await producer.send({ topic: `${apps.topicPrefix}inventory.events.v1`, messages: [{ key: sku, value: '{"not json', headers: { type: 'inventory.product-listed.v1' } }] });
    await producer.disconnect();

    const { status } = await shop.request('POST', '/api/products', { sku, name: `Product ${sku}`, priceCents: 500, currency: 'EUR', initialStock: 3 }, {}, 'admin');
    expect(status).toBe(201);
    // The order app's catalog got past the poison: it prices the new product.
    const orderId = await shop.placeOrder([{ sku, quantity: 1 }]);
    expect(await shop.settled(orderId)).toMatchObject({ status: 'CONFIRMED', totalCents: 500 });

    const dead = await findRecord(`${apps.topicPrefix}inventory.events.v1.dlq`, (r) => r.key === sku);
    expect(dead.value).toBe('{"not json');
    expect(dead.headers).toMatchObject({ type: 'inventory.product-listed.v1', 'dlq-error': expect.stringMatching(/JSON/), 'dlq-attempts': '0' });
    // Malformed, so set aside once for the order app's consumer group, not for a handler.
    expect(dead.headers['dlq-consumer']).toBe('order');
  });

  it('finishes every order after the order app is killed with SIGKILL mid-way and started again', async () => {
    const stock = await stockedProducts(shop);
    const placed = await placeFifty(shop, [...stock.keys()], 20, async () => {
      expect(await apps.kill(apps.instancesOf('order')[0]!)).toEqual({ code: null, signal: 'SIGKILL' });
      await apps.startInstance('order');
    });
    await expectBalanced(shop, apps, placed, stock);
  }, 180_000);

  it('runs the background work of two order instances in one, and the other takes over when it dies', async () => {
    await apps.startInstance('order');
    const instances = apps.instancesOf('order');
    expect(instances).toHaveLength(2);
    const active = await activeInstance(instances);
    expect(active).toBeDefined();
    const standby = instances.find((host) => host !== active)!;
    expect(await activeInstance([standby])).toBeUndefined();

    const stock = await stockedProducts(shop);
    const placed = await placeFifty(shop, [...stock.keys()], 10, async () => {
      await apps.kill(active!);
      await shop.until(() => activeInstance([standby]), (host) => host === standby, 20_000);
    });
    await expectBalanced(shop, apps, placed, stock);
  }, 180_000);
});

describe('the distributed apps when the broker goes away', () => {
  let broker: LocalKafka;
  let apps: DistributedShop;
  let shop: ShopClient;

  beforeAll(async () => {
    broker = await LocalKafka.start();
    // Payment's answer waits for the broker: orders in flight during the outage end when it is back, not by their deadline.
    apps = await DistributedShop.start({ env: { ...ENV, CHECKOUT_PAYMENT_TIMEOUT_MS: '30000', RESERVATION_TTL_MS: '60000', KAFKA_BROKERS: broker.brokers } });
    shop = await ShopClient.signIn((path) => apps.urlFor(path));
  }, 180_000);

  afterAll(async () => {
    await apps?.stop();
    await broker?.stop();
  }, 60_000);

  it('loses and doubles nothing when the broker is stopped for 10 s during 50 orders', async () => {
    const stock = await stockedProducts(shop);
    const placed = await placeFifty(shop, [...stock.keys()], 15, async () => {
      await broker.pause();
      await sleep(10_000);
      await broker.resume();
    });
    await expectBalanced(shop, apps, placed, stock);
  }, 240_000);
});

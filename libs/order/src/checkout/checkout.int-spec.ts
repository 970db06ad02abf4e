import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CONTRACTS, type Message, type MessageType } from '@agora/contracts';
import { CommandHandler, PostgresEventStore, requestContext, streamName } from '@agora/event-sourcing';
import {
  ContractRegistry,
  derivedMessageId,
  InProcessTransport,
  migrateMessaging,
  PostgresCheckpointStore,
  PostgresDeadLetters,
  Relay,
  type EventStoreConsumer,
  type IntegrationMessage,
  type MessageHandler,
} from '@agora/messaging';
import { migrateSagas, SagaRuntime } from '@agora/saga';
import { openReadModels, Projections } from '@agora/projections';
import { createTestDatabase, until } from '@agora/testing';
import { CatalogHandler } from '../catalog/catalog.handler.js';
import { migrateOrderCatalog } from '../catalog/catalog-schema.js';
import { ProductCatalog } from '../catalog/product-catalog.js';
import { InvalidOrderTransition } from '../domain/errors.js';
import { RequestCancellationHandler } from '../features/cancel-order/cancel-order.handler.js';
import { GetCheckoutHandler } from '../features/get-checkout/get-checkout.handler.js';
import { GetOrderHandler } from '../features/get-order/get-order.handler.js';
import { PlaceOrderHandler } from '../features/place-order/place-order.handler.js';
import { OrderCommandsHandler } from '../integration/order-commands.handler.js';
import { OrderOutboundMapping } from '../integration/order-outbound.mapping.js';
import { checkoutFeed } from './checkout-feed.js';
import { CheckoutInputsHandler } from './checkout-inputs.handler.js';
import { CheckoutOutboundMapping } from './checkout-outbound.mapping.js';
import { CheckoutProcess } from './checkout-process.js';
import { orderReadModel } from '../read-model/order-read-model.js';
import { checkoutSaga, type CheckoutOptions } from './checkout-saga.js';

// The order context wired by hand, as a host would, with stand-ins for inventory and
// payment that answer the saga's commands the way those contexts do: idempotently, each
// answer once per effect, with an id derived from the command's.

const answerTo = (command: IntegrationMessage<Message>, type: Message['type'], data: unknown): IntegrationMessage<Message> =>
  ({
    type,
    key: command.key,
    data,
    metadata: { ...command.metadata, messageId: derivedMessageId(command.metadata.messageId, 0), causationId: command.metadata.messageId, schemaVersion: 1 },
  }) as IntegrationMessage<Message>;

abstract class StubContext implements MessageHandler {
  abstract readonly name: string;
  abstract readonly types: readonly MessageType[];
  readonly received: IntegrationMessage<Message>[] = [];

  constructor(protected readonly transport: InProcessTransport) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    this.received.push(message);
    const answer = this.answer(message);
    // Not awaited: the answer has the command's key, so it is delivered after this handler.
    if (answer) void this.transport.publish([answer]);
  }

  protected abstract answer(command: IntegrationMessage<Message>): IntegrationMessage<Message> | undefined;

  /** Commands of one type for one order: distinct ones (by message id) and deliveries. */
  count(type: MessageType, orderId: string): { distinct: number; deliveries: number } {
    const matching = this.received.filter((m) => m.type === type && m.key === orderId);
    return { distinct: new Set(matching.map((m) => m.metadata.messageId)).size, deliveries: matching.length };
  }
}

class StubInventory extends StubContext {
  readonly name = 'stub.inventory.commands';
  readonly types: readonly MessageType[] = ['inventory.reserve-stock.v1', 'inventory.release-reservation.v1', 'inventory.commit-reservation.v1'];
  readonly available = new Map<string, number>();
  readonly reservations = new Map<string, { lines: { sku: string; quantity: number }[]; status: 'reserved' | 'rejected' | 'released' | 'committed' }>();

  protected answer(command: IntegrationMessage<Message>): IntegrationMessage<Message> | undefined {
    const orderId = command.key;
    const reservation = this.reservations.get(orderId);
    switch (command.type) {
      case 'inventory.reserve-stock.v1': {
        if (reservation) return undefined; // redelivery: already done
        const short = command.data.lines.find((line) => (this.available.get(line.sku) ?? 0) < line.quantity);
        if (short) {
          this.reservations.set(orderId, { lines: command.data.lines, status: 'rejected' });
          return answerTo(command, 'inventory.stock-reservation-rejected.v1', { orderId, sku: short.sku, reason: 'insufficient-stock' });
        }
        for (const line of command.data.lines) this.available.set(line.sku, this.available.get(line.sku)! - line.quantity);
        this.reservations.set(orderId, { lines: command.data.lines, status: 'reserved' });
        return answerTo(command, 'inventory.stock-reserved.v1', { orderId, lines: command.data.lines });
      }
      case 'inventory.release-reservation.v1': {
        if (reservation?.status === 'released' || reservation?.status === 'committed') return undefined;
        if (reservation?.status === 'reserved') {
          for (const line of reservation.lines) this.available.set(line.sku, this.available.get(line.sku)! + line.quantity);
        }
        this.reservations.set(orderId, { lines: reservation?.lines ?? [], status: 'released' });
        return answerTo(command, 'inventory.stock-released.v1', { orderId });
      }
      case 'inventory.commit-reservation.v1':
        if (reservation?.status !== 'reserved') return undefined;
        this.reservations.set(orderId, { ...reservation, status: 'committed' });
        return answerTo(command, 'inventory.stock-sold.v1', { orderId });
      default:
        throw new Error(`unexpected ${command.type}`);
    }
  }
}

/** Like the payment simulator: tok_visa is captured, tok_chargeDeclined declined, tok_timeout never answered. */
class StubPayment extends StubContext {
  readonly name = 'stub.payment.commands';
  readonly types: readonly MessageType[] = ['payment.charge-payment.v1', 'payment.refund-payment.v1'];
  readonly charges = new Map<string, 'captured' | 'declined' | 'pending'>();
  readonly refunds = new Map<string, 'refunded' | 'not-needed'>();
  /** Called at the moment a charge is captured, before the answer leaves. */
  onCapture: (orderId: string) => void = () => undefined;

  protected answer(command: IntegrationMessage<Message>): IntegrationMessage<Message> | undefined {
    const orderId = command.key;
    switch (command.type) {
      case 'payment.charge-payment.v1': {
        if (this.charges.has(orderId)) return undefined;
        const { amountCents, currency, paymentToken } = command.data;
        if (paymentToken === 'tok_timeout') {
          this.charges.set(orderId, 'pending');
          return undefined;
        }
        if (paymentToken === 'tok_chargeDeclined') {
          this.charges.set(orderId, 'declined');
          return answerTo(command, 'payment.payment-declined.v1', { orderId, reason: 'card-declined' });
        }
        this.charges.set(orderId, 'captured');
        this.onCapture(orderId);
        return answerTo(command, 'payment.payment-captured.v1', { orderId, chargeId: `ch_${orderId}`, amountCents, currency });
      }
      case 'payment.refund-payment.v1': {
        if (this.refunds.has(orderId)) return undefined;
        if (this.charges.get(orderId) !== 'captured') {
          this.refunds.set(orderId, 'not-needed');
          return answerTo(command, 'payment.refund-not-needed.v1', { orderId });
        }
        this.refunds.set(orderId, 'refunded');
        return answerTo(command, 'payment.payment-refunded.v1', { orderId, chargeId: `ch_${orderId}`, amountCents: 0, currency: 'EUR' });
      }
      default:
        throw new Error(`unexpected ${command.type}`);
    }
  }
}

class Recorder implements MessageHandler {
  readonly name = 'stub.order-events';
  readonly types: readonly MessageType[] = [
    'order.order-placed.v1',
    'order.order-confirmed.v1',
    'order.order-rejected.v1',
    'order.order-cancelled.v1',
    // The saga decides these in its own append: none should be sent.
    'order.confirm-order.v1',
    'order.reject-order.v1',
    'order.cancel-order.v1',
  ];
  readonly received: IntegrationMessage<Message>[] = [];
  async handle(message: IntegrationMessage<Message>): Promise<void> {
    this.received.push(message);
  }
}

const PRODUCTS = [
  { sku: 'SHIRT', name: 'Shirt', priceCents: 1999, currency: 'EUR' },
  { sku: 'MUG', name: 'Mug', priceCents: 850, currency: 'EUR' },
  { sku: 'RARE', name: 'Rare print', priceCents: 50_000, currency: 'EUR' },
];

/** Everything the host would run for the order context, on a fresh database. */
async function wire(options: CheckoutOptions & { duplicateDelivery?: boolean } = {}) {
  const url = await createTestDatabase('order_checkout');
  const pool = new pg.Pool({ connectionString: url, max: 30 });
  const store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
  await store.migrate();
  await migrateMessaging(pool);
  await migrateSagas(pool);
  await migrateOrderCatalog(pool);
  const readModels = await openReadModels({ url, readModels: [orderReadModel] });
  const projections = new Projections(readModels, store, orderReadModel.projections);
  projections.start();

  const saga = checkoutSaga(options);
  const commands = new CommandHandler(store);
  // As the host wires it: the saga decides the order's commands on the orders' command handler.
  const runtime = new SagaRuntime(store, { commands });
  const catalog = new ProductCatalog(pool);
  const transport = new InProcessTransport(ContractRegistry.of(CONTRACTS), new PostgresDeadLetters(pool), { backoffMs: 5, duplicateDelivery: options.duplicateDelivery ?? false });
  const inventory = new StubInventory(transport);
  const payment = new StubPayment(transport);
  const recorder = new Recorder();
  for (const handler of [new CatalogHandler(catalog), new CheckoutInputsHandler(runtime, saga), new OrderCommandsHandler(commands), inventory, payment, recorder]) {
    transport.register(handler);
  }
  const checkpoints = new PostgresCheckpointStore(pool);
  const relays = [new Relay(store, checkpoints, transport, new CheckoutOutboundMapping()), new Relay(store, checkpoints, transport, new OrderOutboundMapping())];
  // As the host wires it: the deadlines' batches share the projections' statements.
  const process = new CheckoutProcess(pool, store, runtime, saga, { deadlinePollMs: 20, deadlineStatements: projections.statements });
  // With duplicates on, a second feed hands every order event to the saga again, concurrently.
  const extraFeeds: EventStoreConsumer[] = options.duplicateDelivery ? [checkoutFeed(store, checkpoints, runtime, saga, { name: 'order.checkout-feed.twin' })] : [];
  for (const relay of relays) relay.start();
  for (const feed of extraFeeds) feed.start();
  process.start();

  inventory.available.set('SHIRT', 100).set('MUG', 100).set('RARE', 1);
  await transport.publish(
    PRODUCTS.map(
      (product) =>
        ({ type: 'inventory.product-listed.v1', key: product.sku, data: product, metadata: { ...requestContext(), messageId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 } }) as IntegrationMessage<Message>,
    ),
  );

  const placeOrder = new PlaceOrderHandler(commands, catalog, projections, { maxPendingOrders: 1000, maxPendingUnits: 1_000_000 }, runtime, saga);
  const getOrder = new GetOrderHandler(readModels);
  const getCheckout = new GetCheckoutHandler(readModels, saga);
  const requestCancellation = new RequestCancellationHandler(commands, projections);

  return {
    pool,
    store,
    inventory,
    payment,
    recorder,
    requestCancellation,
    getCheckout,
    getOrder,
    place: async (lines: { sku: string; quantity: number }[], paymentToken = 'tok_visa') =>
      (await placeOrder.execute({ customerId: `c-${randomUUID().slice(0, 8)}`, lines, paymentToken }, requestContext())).orderId,
    /** Waits until the order has its outcome and the saga is done reacting. */
    settled: async (orderId: string) => {
      await until(async () => (await getOrder.execute(orderId))?.status !== 'PENDING' && (await getCheckout.execute(orderId))?.status !== 'active');
      return (await getOrder.execute(orderId))!;
    },
    stop: async () => {
      await Promise.all([...relays, ...extraFeeds].map((r) => r.stop()));
      await process.stop();
      await projections.stop();
      await readModels.destroy();
      await store.close();
      await pool.end();
    },
  };
}

type Wiring = Awaited<ReturnType<typeof wire>>;

describe('checkout over the in-process transport', () => {
  let w: Wiring;
  beforeAll(async () => {
    w = await wire({ paymentTimeoutMs: 10_000, reservationTimeoutMs: 10_000 });
  });
  afterAll(() => w.stop());

  it('keeps a copy of the catalog: each product once, at its price', async () => {
    const { rows } = await w.pool.query('SELECT sku, price_cents::int AS "priceCents", currency FROM order_catalog.products ORDER BY sku');
    expect(rows).toEqual([
      { sku: 'MUG', priceCents: 850, currency: 'EUR' },
      { sku: 'RARE', priceCents: 50_000, currency: 'EUR' },
      { sku: 'SHIRT', priceCents: 1999, currency: 'EUR' },
    ]);
  });

  it('reserves, charges the total, commits and confirms: the happy path', async () => {
    const orderId = await w.place([
      { sku: 'SHIRT', quantity: 2 },
      { sku: 'MUG', quantity: 1 },
    ]);
    const order = await w.settled(orderId);
    expect(order).toMatchObject({ status: 'CONFIRMED', reason: null, totalCents: 4848, currency: 'EUR' });
    expect(w.payment.received.find((m) => m.type === 'payment.charge-payment.v1' && m.key === orderId)!.data).toEqual({
      orderId,
      amountCents: 4848,
      currency: 'EUR',
      paymentToken: 'tok_visa',
    });
    // The saga asks inventory to commit once the order is confirmed: that arrives a moment later.
    await until(() => w.inventory.reservations.get(orderId)?.status === 'committed');
    const checkout = (await w.getCheckout.execute(orderId))!;
    expect(checkout).toMatchObject({ status: 'completed', currentStep: 'confirmed', deadline: null, reason: null });
    expect(checkout.steps.map((s) => [s.step, s.input])).toEqual([
      ['reserving', 'order.placed.v1'],
      ['charging', 'inventory.stock-reserved.v1'],
      ['confirming', 'payment.payment-captured.v1'],
      ['confirmed', 'order.confirmed.v1'],
    ]);
    // The placement and the saga's first step are one commit, the POST's; the feed found the placement handled.
    const orderEvents = await w.store.readStream(`order-${orderId}`);
    const sagaEvents = await w.store.readStream(`checkout-${orderId}`);
    const placed = orderEvents.find((e) => e.type === 'order.placed.v1')!;
    expect(sagaEvents[0]!.position.commit).toBe(placed.position.commit);
    expect((sagaEvents[0]!.data as { input: unknown }).input).toEqual({ messageId: placed.metadata.messageId, type: 'order.placed.v1' });
    // The order's confirmation and the saga's last two steps are one commit: no command message between them.
    const confirmed = orderEvents.find((e) => e.type === 'order.confirmed.v1')!;
    const lastSteps = sagaEvents.slice(-2);
    expect(lastSteps.map((e) => e.position.commit)).toEqual([confirmed.position.commit, confirmed.position.commit]);
    await until(() => w.recorder.received.some((m) => m.type === 'order.order-confirmed.v1' && m.key === orderId));
    expect(w.recorder.received.filter((m) => m.key === orderId).map((m) => m.type)).toEqual(['order.order-placed.v1', 'order.order-confirmed.v1']);
  });

  it('rejects an order out of stock without asking for any payment', async () => {
    const orderId = await w.place([{ sku: 'RARE', quantity: 2 }]);
    expect(await w.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'out-of-stock' });
    expect(w.payment.received.filter((m) => m.key === orderId)).toEqual([]);
    expect(w.inventory.available.get('RARE')).toBe(1);
  });

  it('releases the stock and rejects the order when the payment is declined', async () => {
    const before = w.inventory.available.get('MUG');
    const orderId = await w.place([{ sku: 'MUG', quantity: 3 }], 'tok_chargeDeclined');
    expect(await w.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'payment-declined' });
    expect(w.inventory.count('inventory.release-reservation.v1', orderId).distinct).toBe(1);
    expect(w.inventory.count('inventory.commit-reservation.v1', orderId).distinct).toBe(0);
    expect(w.inventory.available.get('MUG')).toBe(before);
    // The saga rejected the order in its own step, not by a message to the order context.
    expect(w.recorder.received.filter((m) => m.key === orderId && m.type === 'order.reject-order.v1')).toEqual([]);
  });

  it('gives back what was taken and cancels when the customer cancels while payment is pending', async () => {
    const before = w.inventory.available.get('SHIRT');
    const orderId = await w.place([{ sku: 'SHIRT', quantity: 1 }], 'tok_timeout');
    await until(async () => (await w.getCheckout.execute(orderId))?.currentStep === 'charging');
    await w.requestCancellation.execute(orderId, requestContext());
    expect(await w.settled(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'cancelled-by-customer' });
    expect(w.payment.count('payment.refund-payment.v1', orderId).distinct).toBe(1);
    expect(w.payment.refunds.get(orderId)).toBe('not-needed');
    await until(() => w.inventory.reservations.get(orderId)?.status === 'released');
    expect(w.inventory.available.get('SHIRT')).toBe(before);
    expect((await w.getCheckout.execute(orderId))!).toMatchObject({ status: 'completed', currentStep: 'cancelled', reason: 'cancelled-by-customer', deadline: null });
  });
});

describe('checkout with cancellations at the moment of payment', () => {
  let w: Wiring;
  beforeAll(async () => {
    w = await wire({ paymentTimeoutMs: 10_000, reservationTimeoutMs: 10_000 });
  });
  afterAll(() => w.stop());

  it('ends every order whose cancellation was accepted CANCELLED, refunded and released; refuses the others, which end CONFIRMED', async () => {
    const answers = new Map<string, Promise<'accepted' | 'refused'>>();
    w.payment.onCapture = (orderId) => {
      // The customer's cancel races the payment's answer through the saga.
      answers.set(
        orderId,
        w.requestCancellation.execute(orderId, requestContext()).then(
          () => 'accepted' as const,
          (error: unknown) => {
            if (error instanceof InvalidOrderTransition) return 'refused' as const;
            throw error;
          },
        ),
      );
    };
    const orderIds = await Promise.all(Array.from({ length: 30 }, () => w.place([{ sku: 'SHIRT', quantity: 1 }])));
    const outcomes = await Promise.all(orderIds.map(async (orderId) => ({ orderId, order: await w.settled(orderId) })));
    w.payment.onCapture = () => undefined;
    for (const { orderId, order } of outcomes) {
      const answer = await answers.get(orderId)!;
      if (answer === 'accepted') {
        expect({ orderId, status: order.status, refund: w.payment.refunds.get(orderId), stock: w.inventory.reservations.get(orderId)!.status }).toEqual({
          orderId,
          status: 'CANCELLED',
          refund: 'refunded',
          stock: 'released',
        });
      } else {
        expect({ orderId, status: order.status, refund: w.payment.refunds.get(orderId) }).toEqual({ orderId, status: 'CONFIRMED', refund: undefined });
        await until(() => w.inventory.reservations.get(orderId)!.status === 'committed');
      }
    }
    // Cancellations were accepted after the money was captured: the race was run, not avoided.
    expect(outcomes.filter(({ order }) => order.status === 'CANCELLED').length).toBeGreaterThan(0);
  });
});

describe('checkout when payment does not answer in time', () => {
  let w: Wiring;
  beforeAll(async () => {
    w = await wire({ paymentTimeoutMs: 300, reservationTimeoutMs: 10_000 });
  });
  afterAll(() => w.stop());

  it('refunds, releases and rejects the order at the payment deadline', async () => {
    const before = w.inventory.available.get('SHIRT');
    const orderId = await w.place([{ sku: 'SHIRT', quantity: 2 }], 'tok_timeout');
    await until(async () => (await w.getCheckout.execute(orderId))?.deadline?.name === 'payment');
    expect((await w.getOrder.execute(orderId))!.status).toBe('PENDING');

    expect(await w.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'payment-timeout' });
    expect(w.payment.count('payment.refund-payment.v1', orderId).distinct).toBe(1);
    await until(() => w.inventory.reservations.get(orderId)?.status === 'released');
    expect(w.inventory.available.get('SHIRT')).toBe(before);
    const checkout = (await w.getCheckout.execute(orderId))!;
    expect(checkout).toMatchObject({ status: 'completed', currentStep: 'rejected', reason: 'payment-timeout', deadline: null });
    expect(checkout.steps.map((s) => s.input)).toEqual(['order.placed.v1', 'inventory.stock-reserved.v1', 'saga.deadline-reached']);
  });
});

describe('checkout with every message delivered twice', () => {
  let w: Wiring;
  beforeAll(async () => {
    w = await wire({ paymentTimeoutMs: 10_000, reservationTimeoutMs: 10_000, duplicateDelivery: true });
  });
  afterAll(() => w.stop());

  it('has one effect per message: one reservation and one charge per order, the right outcomes', async () => {
    const [confirmed, declined, outOfStock] = await Promise.all([
      w.place([{ sku: 'SHIRT', quantity: 1 }]),
      w.place([{ sku: 'MUG', quantity: 1 }], 'tok_chargeDeclined'),
      w.place([{ sku: 'RARE', quantity: 5 }]),
    ]);
    expect(await w.settled(confirmed)).toMatchObject({ status: 'CONFIRMED' });
    expect(await w.settled(declined)).toMatchObject({ status: 'REJECTED', reason: 'payment-declined' });
    expect(await w.settled(outOfStock)).toMatchObject({ status: 'REJECTED', reason: 'out-of-stock' });
    // Let stray duplicates arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const orderId of [confirmed, declined, outOfStock]) {
      expect(w.inventory.count('inventory.reserve-stock.v1', orderId)).toEqual({ distinct: 1, deliveries: 2 });
    }
    expect(w.payment.count('payment.charge-payment.v1', confirmed)).toEqual({ distinct: 1, deliveries: 2 });
    expect(w.payment.count('payment.charge-payment.v1', declined)).toEqual({ distinct: 1, deliveries: 2 });
    expect(w.payment.count('payment.charge-payment.v1', outOfStock).deliveries).toBe(0);
    expect(w.inventory.count('inventory.commit-reservation.v1', confirmed)).toEqual({ distinct: 1, deliveries: 2 });
    expect(w.inventory.count('inventory.release-reservation.v1', declined)).toEqual({ distinct: 1, deliveries: 2 });

    // One saga step per distinct input, one order event per transition.
    expect((await w.getCheckout.execute(confirmed))!.steps.map((s) => s.step)).toEqual(['reserving', 'charging', 'confirming', 'confirmed']);
    expect((await w.store.readStream(streamName('order', confirmed))).map((e) => e.type)).toEqual(['order.placed.v1', 'order.confirmed.v1']);
    expect((await w.store.readStream(streamName('order', declined))).map((e) => e.type)).toEqual(['order.placed.v1', 'order.rejected.v1']);
    const { rows } = await w.pool.query('SELECT count(*)::int AS n FROM messaging.dead_letters');
    expect(rows[0].n).toBe(0);
  }, 20_000);
});

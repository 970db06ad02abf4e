import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CommandHandler, PostgresEventStore, requestContext, streamName, WrongExpectedVersion } from '@agora/event-sourcing';
import { openReadModels, Projections } from '@agora/projections';
import { SagaRuntime } from '@agora/saga';
import { eventStoreForTest } from '@agora/testing';
import { CatalogHandler } from '../../catalog/catalog.handler.js';
import { migrateOrderCatalog } from '../../catalog/catalog-schema.js';
import { ProductCatalog } from '../../catalog/product-catalog.js';
import { checkoutSaga } from '../../checkout/checkout-saga.js';
import { PendingLimitReached } from '../../domain/errors.js';
import { ORDER_CATEGORY, orderDecider } from '../../domain/order.js';
import { PENDING_ORDERS_CATEGORY } from '../../domain/pending-orders.js';
import { orderReadModel } from '../../read-model/order-read-model.js';
import { PlaceOrderHandler } from './place-order.handler.js';

// Two instances of the order app on one event store, as in the distributed mode scaled
// out: each has its own command handler (its own remembered streams) and its own queue of
// admissions, so only the store's expected revision stands between their requests.
const LIMITS = { maxPendingOrders: 5, maxPendingUnits: 1_000 };

describe('the limits on pending orders across instances (PostgreSQL)', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let projections: Projections;
  let readModels: Awaited<ReturnType<typeof openReadModels>>;
  let instances: PlaceOrderHandler[];

  beforeAll(async () => {
    const db = await eventStoreForTest('order_pending_limits', { max: 20, pollIntervalMs: 20 });
    const { url } = db;
    ({ pool, store } = db);
    await migrateOrderCatalog(pool);
    readModels = await openReadModels({ url, readModels: [orderReadModel] });
    projections = new Projections(readModels, store, orderReadModel.projections);
    projections.start();
    const catalog = new ProductCatalog(pool);
    await new CatalogHandler(catalog).handle({
      type: 'inventory.product-listed.v1',
      key: 'SHIRT',
      data: { sku: 'SHIRT', name: 'Shirt', priceCents: 1999, currency: 'EUR' },
      metadata: { ...requestContext(), messageId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
    });
    instances = [0, 1].map(() => {
      const commands = new CommandHandler(store);
      return new PlaceOrderHandler(commands, catalog, projections, LIMITS, new SagaRuntime(store, { commands }), checkoutSaga());
    });
  });

  afterAll(async () => {
    await projections.stop();
    await readModels.destroy();
    await store.close();
    await pool.end();
  });

  const placedBy = async (customerId: string) =>
    (await store.readAll({ categories: [ORDER_CATEGORY] })).filter((event) => event.type === 'order.placed.v1' && (event.data as { customerId: string }).customerId === customerId);

  it('places no more than the limit of 32 orders sent at once to two instances, and writes nothing for the others', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) => instances[i % 2]!.execute({ customerId, lines: [{ sku: 'SHIRT', quantity: 1 }], paymentToken: 'tok_visa' }, requestContext())),
    );

    const placed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.orderId] : []));
    expect(placed).toHaveLength(LIMITS.maxPendingOrders);
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
    // Refused for the limit, or (never past it) for other instances' writes winning every retry.
    for (const refusal of refusals) expect(refusal instanceof PendingLimitReached || refusal instanceof WrongExpectedVersion).toBe(true);
    expect(refusals.filter((refusal) => refusal instanceof PendingLimitReached).length).toBeGreaterThan(0);
    expect((await placedBy(customerId)).map((event) => (event.data as { orderId: string }).orderId).sort()).toEqual([...placed].sort());
    // The customer's stream admitted exactly those orders.
    const admitted = (await store.readStream(streamName(PENDING_ORDERS_CATEGORY, customerId))).map((event) => (event.data as { orderId: string }).orderId);
    expect(admitted.sort()).toEqual([...placed].sort());
  });

  it('gives the allowance back for orders that ended, on either instance', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const place = (instance: PlaceOrderHandler) => instance.execute({ customerId, lines: [{ sku: 'SHIRT', quantity: 1 }], paymentToken: 'tok_visa' }, requestContext());
    const first = [];
    for (let i = 0; i < LIMITS.maxPendingOrders; i++) first.push((await place(instances[i % 2]!)).orderId);
    await expect(place(instances[0]!)).rejects.toBeInstanceOf(PendingLimitReached);

    // Two of them end, as the checkout ends them.
    const commands = new CommandHandler(store);
    const at = new Date().toISOString();
    await commands.handle(orderDecider, streamName(ORDER_CATEGORY, first[0]!), { type: 'reject-order', orderId: first[0]!, reason: 'out-of-stock', at }, requestContext());
    await commands.handle(orderDecider, streamName(ORDER_CATEGORY, first[1]!), { type: 'confirm-order', orderId: first[1]!, at }, requestContext());

    await place(instances[1]!);
    await place(instances[0]!);
    await expect(place(instances[1]!)).rejects.toMatchObject({ limit: 'ORDER_MAX_PENDING_PER_CUSTOMER', max: LIMITS.maxPendingOrders });
    expect(await placedBy(customerId)).toHaveLength(LIMITS.maxPendingOrders + 2);
  });

  it('reads no order it remembers as ended when it settles; orders it does not know so are read', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const reads: string[] = [];
    const counted = new Proxy(store, {
      get: (target, property, receiver) =>
        property === 'readStream'
          ? (name: string, options?: object) => (reads.push(name), target.readStream(name, options))
          : (Reflect.get(target, property, receiver) as unknown),
    });
    const commands = new CommandHandler(counted);
    const instance = new PlaceOrderHandler(commands, new ProductCatalog(pool), projections, LIMITS, new SagaRuntime(counted, { commands }), checkoutSaga());
    const place = () => instance.execute({ customerId, lines: [{ sku: 'SHIRT', quantity: 1 }], paymentToken: 'tok_visa' }, requestContext());
    const orders = [];
    for (let i = 0; i < LIMITS.maxPendingOrders; i++) orders.push((await place()).orderId);
    const at = new Date().toISOString();
    const orderStream = (orderId: string) => streamName(ORDER_CATEGORY, orderId);
    // Two end through this instance's command handler, one through another's.
    await commands.handle(orderDecider, orderStream(orders[0]!), { type: 'confirm-order', orderId: orders[0]!, at }, requestContext());
    await commands.handle(orderDecider, orderStream(orders[1]!), { type: 'reject-order', orderId: orders[1]!, reason: 'out-of-stock', at }, requestContext());
    await new CommandHandler(store).handle(orderDecider, orderStream(orders[2]!), { type: 'confirm-order', orderId: orders[2]!, at }, requestContext());
    reads.length = 0;

    await place();
    const pendingStreams = new Set(orders.map(orderStream));
    expect(reads.filter((name) => pendingStreams.has(name)).sort()).toEqual(orders.slice(2).map(orderStream).sort());
    // Three settled, one placed: room for two more, then the limit again.
    await place();
    await place();
    await expect(place()).rejects.toBeInstanceOf(PendingLimitReached);
  });

  it('counts the units of every line against the units limit', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const place = (quantity: number) => instances[0]!.execute({ customerId, lines: [{ sku: 'SHIRT', quantity }], paymentToken: 'tok_visa' }, requestContext());
    await place(600);
    await expect(place(401)).rejects.toMatchObject({ limit: 'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER', max: 1_000 });
    await place(400);
    expect(await placedBy(customerId)).toHaveLength(2);
  });
});

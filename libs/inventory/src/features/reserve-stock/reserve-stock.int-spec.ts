import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CommandHandler, PostgresEventStore, requestContext, streamName } from '@agora/event-sourcing';
import { eventStoreForTest } from '@agora/testing';
import { PRODUCT_CATEGORY, productDecider } from '../../domain/product.js';
import { RESERVATION_CATEGORY } from '../../domain/reservation.js';
import { ProductStock } from '../product-stock.js';
import { CommitReservationHandler } from '../commit-reservation/commit-reservation.handler.js';
import { ReserveStockHandler } from './reserve-stock.handler.js';

describe('reserving and committing stock on PostgreSQL', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let commands: CommandHandler;
  let reserve: ReserveStockHandler;

  beforeAll(async () => {
    ({ pool, store } = await eventStoreForTest('inventory_reserve', { max: 10 }));
    commands = new CommandHandler(store);
    reserve = new ReserveStockHandler(commands, new ProductStock(commands), store);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  async function productWith(stock: number): Promise<string> {
    const sku = `SKU-${randomUUID().slice(0, 8)}`;
    await commands.handle(productDecider, streamName(PRODUCT_CATEGORY, sku), { type: 'add-product', sku, name: 'Mug', priceCents: 100, currency: 'EUR', initialStock: stock }, requestContext());
    return sku;
  }
  const streamOf = async (category: string, id: string) => (await store.readStream(streamName(category, id))).map((event) => ({ type: event.type, commit: event.position.commit }));

  it('requests, holds every line and accepts a new reservation in one commit', async () => {
    const [a, b] = [await productWith(5), await productWith(5)];
    const orderId = randomUUID();
    const state = await reserve.execute({ orderId, lines: [{ sku: b, quantity: 1 }, { sku: a, quantity: 2 }] }, requestContext());

    expect(state.status).toBe('reserved');
    const reservation = await streamOf(RESERVATION_CATEGORY, orderId);
    expect(reservation.map((event) => event.type)).toEqual(['inventory.reservation-requested.v1', 'inventory.reservation-accepted.v1']);
    const holds = [...(await streamOf(PRODUCT_CATEGORY, a)).slice(1), ...(await streamOf(PRODUCT_CATEGORY, b)).slice(1)];
    expect(holds.map((event) => event.type)).toEqual(['inventory.product-stock-reserved.v1', 'inventory.product-stock-reserved.v1']);
    expect(new Set([...reservation, ...holds].map((event) => event.commit)).size).toBe(1);
  });

  it('rejects a new reservation with a short line in one commit, holding nothing on any product', async () => {
    const [a, b] = [await productWith(5), await productWith(1)];
    const orderId = randomUUID();
    const state = await reserve.execute({ orderId, lines: [{ sku: a, quantity: 2 }, { sku: b, quantity: 2 }] }, requestContext());

    expect(state).toMatchObject({ status: 'rejected', sku: b, reason: 'insufficient-stock' });
    const reservation = await streamOf(RESERVATION_CATEGORY, orderId);
    expect(reservation.map((event) => event.type)).toEqual(['inventory.reservation-requested.v1', 'inventory.reservation-rejected.v1']);
    expect(new Set(reservation.map((event) => event.commit)).size).toBe(1);
    expect((await streamOf(PRODUCT_CATEGORY, a)).map((event) => event.type)).toEqual(['inventory.product-added.v1']);
    expect((await streamOf(PRODUCT_CATEGORY, b)).map((event) => event.type)).toEqual(['inventory.product-added.v1']);
  });

  it('resumes a reservation that exists already by the steps, and holds each line once', async () => {
    const sku = await productWith(5);
    const orderId = randomUUID();
    const command = { orderId, lines: [{ sku, quantity: 1 }] };
    await reserve.execute(command, requestContext());
    const again = await new ReserveStockHandler(new CommandHandler(store), new ProductStock(new CommandHandler(store)), store).execute(command, requestContext());

    expect(again.status).toBe('reserved');
    expect((await streamOf(RESERVATION_CATEGORY, orderId)).map((event) => event.type)).toEqual(['inventory.reservation-requested.v1', 'inventory.reservation-accepted.v1']);
    expect((await streamOf(PRODUCT_CATEGORY, sku)).map((event) => event.type)).toEqual(['inventory.product-added.v1', 'inventory.product-stock-reserved.v1']);
  });

  it('commits a reservation and sells every line in one commit; a redelivered commit writes nothing', async () => {
    const [a, b] = [await productWith(5), await productWith(5)];
    const orderId = randomUUID();
    await reserve.execute({ orderId, lines: [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }] }, requestContext());
    const commit = new CommitReservationHandler(commands, new ProductStock(commands));
    expect((await commit.execute({ orderId }, requestContext())).status).toBe('committed');
    expect((await new CommitReservationHandler(new CommandHandler(store), new ProductStock(new CommandHandler(store))).execute({ orderId }, requestContext())).status).toBe('committed');

    const reservation = await streamOf(RESERVATION_CATEGORY, orderId);
    expect(reservation.map((event) => event.type)).toEqual([
      'inventory.reservation-requested.v1',
      'inventory.reservation-accepted.v1',
      'inventory.reservation-committed.v1',
    ]);
    const sales = [...(await streamOf(PRODUCT_CATEGORY, a)), ...(await streamOf(PRODUCT_CATEGORY, b))].filter((event) => event.type === 'inventory.product-stock-sold.v1');
    expect(sales).toHaveLength(2);
    expect(new Set([reservation[2]!, ...sales].map((event) => event.commit)).size).toBe(1);
  });
});

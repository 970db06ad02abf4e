import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MODES, type Running } from './modes.js';
import { ShopClient } from './shop-client.js';

// The checkout saga, end to end, in both modes.
describe.each(MODES)('checkout in $mode', ({ start }) => {
  let running: Running;
  let shop: ShopClient;

  beforeAll(async () => {
    running = await start();
    shop = await ShopClient.signIn(running.route);
  }, 90_000);

  afterAll(async () => {
    // Every process shuts down cleanly on SIGTERM.
    for (const exit of (await running?.stop()) ?? []) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('confirms an order paid with tok_visa: stock committed, payment captured', async () => {
    const sku = await shop.addProduct(10, 1250);
    const orderId = await shop.placeOrder([{ sku, quantity: 3 }]);
    const order = await shop.settled(orderId);

    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 3750, currency: 'EUR' });
    expect(await shop.eventually(() => shop.product(sku), { reserved: 0, sold: 3 })).toMatchObject({ available: 7, reserved: 0, sold: 3 });
    const payments = await shop.until(() => shop.payments(orderId), (p) => p.charges[0]?.status === 'captured');
    expect(payments.charges).toEqual([expect.objectContaining({ status: 'captured', amountCents: 3750 })]);
    expect(payments.refunds).toEqual([]);
  });

  it('rejects an order it cannot stock, without attempting a payment', async () => {
    const sku = await shop.addProduct(2);
    const orderId = await shop.placeOrder([{ sku, quantity: 3 }]);
    expect(await shop.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'out-of-stock' });
    expect(await shop.product(sku)).toMatchObject({ available: 2, reserved: 0 });
    expect((await shop.payments(orderId)).charges).toEqual([]);
  });

  it('rejects an order whose card is declined and puts the stock back', async () => {
    const [a, b] = [await shop.addProduct(5), await shop.addProduct(5)];
    const orderId = await shop.placeOrder([{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }], 'tok_chargeDeclined');
    expect(await shop.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'payment-declined' });
    expect(await shop.eventually(() => shop.product(a), { reserved: 0 })).toMatchObject({ available: 5, reserved: 0 });
    expect(await shop.eventually(() => shop.product(b), { reserved: 0 })).toMatchObject({ available: 5, reserved: 0 });
    expect((await shop.until(() => shop.payments(orderId), (p) => p.charges.length > 0)).charges).toEqual([expect.objectContaining({ status: 'declined' })]);
  });

  it('compensates when the payment does not answer in time, and refunds the late charge', async () => {
    const sku = await shop.addProduct(4);
    const orderId = await shop.placeOrder([{ sku, quantity: 1 }], 'tok_timeout');
    expect(await shop.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'payment-timeout' });
    await shop.until(() => shop.product(sku), (p) => p.reserved === 0 && p.available === 4);

    // The simulator approves tok_timeout after 4 s: that money must go back.
    const payments = await shop.until(
      () => shop.payments(orderId),
      (p) => p.refunds.some((r) => r.status === 'refunded'),
    );
    expect(payments.charges).toEqual([expect.objectContaining({ status: 'captured' })]);
    expect(payments.refunds).toEqual([expect.objectContaining({ status: 'refunded', amountCents: payments.charges[0]!.amountCents })]);
  });

  it("cancels a pending order on the customer's request and undoes what was done", async () => {
    const sku = await shop.addProduct(3);
    const orderId = await shop.placeOrder([{ sku, quantity: 2 }], 'tok_timeout');
    const cancel = await shop.request('POST', `/api/orders/${orderId}/cancel`);
    expect(cancel.status).toBe(202);
    expect(await shop.settled(orderId)).toMatchObject({ status: 'CANCELLED' });
    await shop.until(() => shop.product(sku), (p) => p.reserved === 0 && p.available === 3);
  });

  it('refuses to cancel an order that is no longer pending', async () => {
    const sku = await shop.addProduct(3);
    const orderId = await shop.placeOrder([{ sku, quantity: 1 }]);
    await shop.settled(orderId);
    expect((await shop.request('POST', `/api/orders/${orderId}/cancel`)).status).toBe(409);
  });

  it('confirms exactly 5 of 20 concurrent orders for the last 5 units', async () => {
    const sku = await shop.addProduct(5);
    const orderIds = await Promise.all(Array.from({ length: 20 }, () => shop.placeOrder([{ sku, quantity: 1 }])));
    const orders = await Promise.all(orderIds.map((id) => shop.settled(id)));

    expect(orders.filter((o) => o.status === 'CONFIRMED')).toHaveLength(5);
    expect(orders.filter((o) => o.status === 'REJECTED').map((o) => o.reason)).toEqual(Array(15).fill('out-of-stock'));
    expect(await shop.eventually(() => shop.product(sku), { reserved: 0, sold: 5 })).toMatchObject({ available: 0, reserved: 0, sold: 5 });
  });

  it('gives the same order for the same Idempotency-Key and body', async () => {
    const sku = await shop.addProduct(5);
    const first = await shop.placeOrder([{ sku, quantity: 1 }], 'tok_visa', 'key-123');
    const second = await shop.placeOrder([{ sku, quantity: 1 }], 'tok_visa', 'key-123');
    expect(second).toBe(first);
    await shop.settled(first);
    expect(await shop.eventually(() => shop.product(sku), { sold: 1 })).toMatchObject({ available: 4, sold: 1 });
  });

  it('refuses bad orders with 400 naming the field, and writes nothing', async () => {
    const sku = await shop.addProduct(5);
    const bad = async (body: unknown) => shop.request<{ message: string | string[] }>('POST', '/api/orders', body);
    expect(JSON.stringify((await bad({ lines: [], paymentToken: 'tok_visa' })).body.message)).toMatch(/lines/);
    expect(JSON.stringify((await bad({ lines: [{ sku, quantity: 0 }], paymentToken: 'tok_visa' })).body.message)).toMatch(/quantity/);
    expect(JSON.stringify((await bad({ lines: [{ sku, quantity: 1.5 }], paymentToken: 'tok_visa' })).body.message)).toMatch(/quantity/);
    expect(JSON.stringify((await bad({ lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa', extra: 1 })).body.message)).toMatch(/extra/);
    expect((await bad('{"lines": ')).status).toBe(400);
    expect((await shop.request('GET', '/api/orders/9a3c1e52-1b0e-4a53-9b7d-1c2d3e4f5a6b')).status).toBe(404);
    expect(await shop.product(sku)).toMatchObject({ available: 5, reserved: 0 });
  });

  it("shows a saga's steps, current step and outcome", async () => {
    const sku = await shop.addProduct(5);
    const orderId = await shop.placeOrder([{ sku, quantity: 1 }]);
    await shop.settled(orderId);
    const saga = await shop.until(
      () => shop.request<{ status: string; steps: { step: string; at: string }[] }>('GET', `/api/orders/${orderId}/saga`),
      (r) => r.status === 200 && r.body.status === 'completed',
    );
    expect(saga.body.steps.length).toBeGreaterThanOrEqual(3);
    expect(saga.body.steps.every((step) => !Number.isNaN(Date.parse(step.at)))).toBe(true);
  });
});

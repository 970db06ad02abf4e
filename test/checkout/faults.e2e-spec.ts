import { describe, expect, it } from '@jest/globals';
import { createTestDatabase, freePort, HostProcess } from '@agora/testing';
import { ShopClient, type OrderView } from './shop-client.js';

/** Stock and money balance: what was sold was paid, and nobody paid for what they did not get. */
async function expectBalanced(shop: ShopClient, sku: string, received: number, orders: OrderView[]): Promise<void> {
  const product = await shop.product(sku);
  const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
  expect(product.reserved).toBe(0);
  expect(product.sold).toBe(confirmed.length);
  expect(product.available + product.reserved + product.sold!).toBe(received);
  for (const order of orders) {
    // A compensation (the refund of a charge captured after its order timed out) may still be on its way.
    const payments = await shop.until(
      () => shop.payments(order.orderId),
      (p) => [...p.charges, ...p.refunds].every((x) => x.status !== 'pending'),
    );
    const captured = payments.charges.filter((c) => c.status === 'captured').reduce((sum, c) => sum + c.amountCents, 0);
    const refunded = payments.refunds.filter((r) => r.status === 'refunded').reduce((sum, r) => sum + r.amountCents, 0);
    expect({ orderId: order.orderId, status: order.status, kept: captured - refunded }).toEqual({
      orderId: order.orderId,
      status: order.status,
      kept: order.status === 'CONFIRMED' ? order.totalCents : 0,
    });
  }
}

describe('the all-in-one host under faults', () => {
  it('finishes every in-flight checkout after being killed with SIGKILL and started again', async () => {
    // 40 orders of one customer at once: more than a customer may have pending by default.
    const env = { DATABASE_URL: await createTestDatabase('crash'), CHECKOUT_PAYMENT_TIMEOUT_MS: '3000', ORDER_MAX_PENDING_PER_CUSTOMER: '100', LOG_LEVEL: 'warn' };
    const port = await freePort();
    const first = await HostProcess.start({ port, env });
    const shop = await ShopClient.signIn(first.url);
    const sku = await shop.addProduct(30, 1000);
    const warmUp = await shop.settled(await shop.placeOrder([{ sku, quantity: 1 }])); // the catalog knows the sku

    const placing = Array.from({ length: 40 }, (_, i) => shop.placeOrder([{ sku, quantity: 1 }], i % 4 === 0 ? 'tok_chargeDeclined' : 'tok_visa'));
    const orderIds = await Promise.all(placing);
    first.kill('SIGKILL');
    await first.exited;

    const second = await HostProcess.start({ port, env });
    try {
      const orders = await Promise.all(
        [...orderIds].map((id) =>
          shop.settled(id, 30_000).catch(async (error: Error) => {
            // Where its checkout stopped, and what the host printed, say why.
            const saga = await shop.request('GET', `/api/orders/${id}/saga`, undefined, {}, 'admin');
            throw new Error(`${error.message}\ncheckout: ${JSON.stringify(saga.body)}\n--- host ---\n${second.stdout.slice(-3000)}\n${second.stderr.slice(-2000)}`);
          }),
        ),
      );
      expect(orders.every((o) => o.status === 'CONFIRMED' || o.status === 'REJECTED')).toBe(true);
      await shop.until(() => shop.product(sku), (p) => p.reserved === 0);
      await expectBalanced(shop, sku, 30, [warmUp, ...orders]);
    } finally {
      expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  }, 120_000);

  it('has one effect per message when every integration message is delivered twice', async () => {
    const host = await HostProcess.start({
      port: await freePort(),
      env: { DATABASE_URL: await createTestDatabase('twice'), MESSAGING_DUPLICATE_DELIVERY: 'true', CHECKOUT_PAYMENT_TIMEOUT_MS: '2000', LOG_LEVEL: 'warn' },
    });
    try {
      const shop = await ShopClient.signIn(host.url);
      const sku = await shop.addProduct(10, 500);
      const ids = [
        await shop.placeOrder([{ sku, quantity: 2 }], 'tok_visa'),
        await shop.placeOrder([{ sku, quantity: 1 }], 'tok_chargeDeclined'),
        await shop.placeOrder([{ sku, quantity: 1 }], 'tok_timeout'),
        await shop.placeOrder([{ sku, quantity: 50 }], 'tok_visa'),
      ];
      const orders = await Promise.all(ids.map((id) => shop.settled(id)));
      expect(orders.map((o) => o.status)).toEqual(['CONFIRMED', 'REJECTED', 'REJECTED', 'REJECTED']);
      await shop.until(() => shop.product(sku), (p) => p.reserved === 0);
      expect(await shop.product(sku)).toMatchObject({ available: 8, reserved: 0, sold: 2 });
      const payments = await Promise.all(ids.map((id) => shop.payments(id)));
      expect(payments.map((p) => p.charges.length)).toEqual([1, 1, 1, 0]);
      expect(payments.map((p) => p.charges.filter((c) => c.status === 'captured').length)).toEqual([1, 0, 0, 0]);
    } finally {
      expect(await host.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  }, 60_000);
});

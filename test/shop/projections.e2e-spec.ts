import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PostgresEventStore, requestContext, withMetadata } from '@agora/event-sourcing';
import { createTestDatabase, freePort, HostProcess, until } from '@agora/testing';
import { ShopClient } from '../checkout/shop-client.js';

const run = promisify(execFile);

/** The read side of a running host: lag on /health, and the projections CLI beside it. */
describe('the projections of the shop host', () => {
  let host: HostProcess;
  let url: string;
  let pool: pg.Pool;
  let shop: ShopClient;

  beforeAll(async () => {
    url = await createTestDatabase('shop_projections');
    pool = new pg.Pool({ connectionString: url, max: 2 });
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: url } });
    shop = await ShopClient.signIn(host.url);
  }, 60_000);

  afterAll(async () => {
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await pool.end();
  }, 30_000);

  const http = (method: string, path: string, body?: unknown, as: 'customer' | 'admin' = 'customer') =>
    shop.request<Record<string, unknown>>(method, path, body, {}, as);
  const cli = (...args: string[]) =>
    run(process.execPath, [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), 'apps/shop/src/projections-cli.ts', ...args], {
      env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: url, LOG_LEVEL: 'warn' },
    });
  const rows = async () => ({
    products: (await pool.query('SELECT * FROM inventory_read.products ORDER BY sku')).rows,
    orders: (await pool.query('SELECT * FROM order_read.orders ORDER BY order_id')).rows,
    checkouts: (await pool.query('SELECT * FROM order_read.checkouts ORDER BY order_id')).rows,
    payments: (await pool.query('SELECT * FROM payment_read.payments ORDER BY order_id')).rows,
    users: (await pool.query('SELECT * FROM user_read.users ORDER BY user_id')).rows,
  });

  async function shopSomething(): Promise<{ sku: string; orderIds: string[] }> {
    const sku = `P-${Date.now()}`;
    expect((await http('POST', '/api/products', { sku, name: 'Lamp', priceCents: 4200, currency: 'EUR', initialStock: 3 }, 'admin')).status).toBe(201);
    const orderIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (;;) {
        const placed = await http('POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' });
        if (placed.status === 202) {
          orderIds.push(placed.body['orderId'] as string);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50)); // the order catalog follows inventory
      }
    }
    for (const orderId of orderIds) await until(async () => (await http('GET', `/api/orders/${orderId}`)).body['status'] !== 'PENDING');
    await until(async () => (await http('GET', `/api/products/${sku}`)).body['reserved'] === 0);
    // The saga's last steps land a moment after the order's outcome: wait for every projection.
    const lagging = (body: Record<string, unknown>) =>
      Object.values((body['info'] as { projections: Record<string, { lagEvents?: number }> }).projections).some((p) => (p.lagEvents ?? 0) > 0);
    await until(async () => !lagging((await http('GET', '/health')).body));
    return { sku, orderIds };
  }

  it('shows each projection with its lag on /health', async () => {
    await shopSomething();
    const health = await http('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      info: {
        projections: {
          status: 'up',
          'inventory.products': { lagEvents: 0, lagMs: 0, degraded: false },
          'order.orders': { lagEvents: 0, lagMs: 0, degraded: false },
          'user.users': { lagEvents: 0, lagMs: 0, degraded: false },
          'order.checkouts': { lagEvents: 0, lagMs: 0, degraded: false },
          'payment.payments': { lagEvents: 0, lagMs: 0, degraded: false },
        },
      },
    });
  });

  it('lists the projections caught up with the log, from the CLI', async () => {
    const { stdout } = await cli('status');
    expect(stdout).toMatch(/inventory\.products.*│ 0 +│ 0 /);
    expect(stdout).toMatch(/order\.orders.*│ 0 +│ 0 /);
  });

  it('rebuilds every projection from zero into the same rows while the host runs, and the host carries on', async () => {
    const { sku, orderIds } = await shopSomething();
    const before = await rows();
    const { stdout } = await cli('rebuild', '--all');
    expect(stdout).toMatch(/inventory\.products rebuilt: \d+ events/);
    expect(stdout).toMatch(/order\.orders rebuilt: \d+ events/);
    expect(stdout).toMatch(/user\.users rebuilt: \d+ events/);
    expect(stdout).toMatch(/order\.checkouts rebuilt: \d+ events/);
    expect(stdout).toMatch(/payment\.payments rebuilt: \d+ events/);
    expect(before.checkouts.length).toBeGreaterThan(0);
    expect(before.payments.length).toBeGreaterThan(0);
    expect(await rows()).toEqual(before);

    // The live projections resume on the new tables: a new write is read back at once.
    const later = await shopSomething();
    expect((await http('GET', `/api/products/${later.sku}`)).body).toMatchObject({ available: 0, reserved: 0, sold: 3 });
    expect((await http('GET', `/api/products/${sku}`)).body).toMatchObject({ sold: 3 });
    expect((await http('GET', `/api/orders/${orderIds[3]}`)).body).toMatchObject({ status: 'REJECTED', reason: 'out-of-stock' });
  });

  it('reads payment events stored under their former names, live and when the CLI rebuilds', async () => {
    // As an earlier version stored a captured charge: under the name of the message it is published as.
    const orderId = randomUUID();
    const store = new PostgresEventStore(pool, { schema: 'event_store' });
    await store.appendToStream(
      `payment-${orderId}`,
      [
        { type: 'payment.charge-requested.v1', data: { orderId, amountCents: 4200, currency: 'EUR', paymentToken: 'tok_visa' } },
        { type: 'payment.payment-captured.v1', data: { orderId, chargeId: 'ch_earlier', amountCents: 4200, currency: 'EUR' } },
      ].map((event) => withMetadata(event, requestContext(), new Date())),
      'no-stream',
    );
    await store.close();
    const charge = async () => ((await http('GET', `/api/payments?orderId=${orderId}`, undefined, 'admin')).body['charges'] as Record<string, unknown>[])[0];
    await until(async () => (await charge())?.['status'] === 'captured', 20_000);

    await cli('rebuild', 'payment.payments');
    expect(await charge()).toMatchObject({ status: 'captured', chargeId: 'ch_earlier', amountCents: 4200 });
  });

  it('parks an event a projection cannot apply: the others go on, /health says degraded, the CLI lists it and a retry that fails again keeps it', async () => {
    // An event the products projection cannot store: a price that is not a number.
    const store = new PostgresEventStore(pool, { schema: 'event_store' });
    const bad = `BAD-${Date.now()}`;
    await store.appendToStream(
      `product-${bad}`,
      [withMetadata({ type: 'inventory.product-added.v1', data: { sku: bad, name: 'Broken', priceCents: 'lots', currency: 'EUR', initialStock: 1 } }, requestContext(), new Date())],
      'no-stream',
    );
    await store.close();
    const health = async () => (await (await fetch(`${host.url}/health`)).json()) as { status: string; info: Record<string, Record<string, unknown>> };
    await until(async () => (await health()).status === 'degraded', 20_000);
    const report = await health();
    expect(report.info['projections']!['inventory.products']).toMatchObject({ parked: 1, degraded: true });
    expect(report.info['parkedEvents']!['inventory.products']).toEqual({ parked: 1, degraded: true });

    // Everyone else goes on: a product added after it is served.
    const { sku } = await shopSomething();
    expect((await http('GET', `/api/products/${sku}`)).status).toBe(200);

    const listed = await cli('parked', 'inventory.products');
    expect(listed.stdout).toContain(`product-${bad}`);
    expect(listed.stdout).toContain('inventory.product-added.v1');
    const retried = await cli('retry-parked', 'inventory.products').then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(retried.code).toBe(1);
    expect(retried.stdout).toContain('0 applied, 1 still parked');
    const [parked] = (await pool.query("SELECT attempts, retry_requested_at FROM messaging.parked_events WHERE subscriber = 'inventory.products'")).rows;
    expect(parked).toEqual({ attempts: 6, retry_requested_at: null });
  });

  it('refuses to rebuild while a rebuild of the same schema is under way elsewhere, and changes nothing', async () => {
    const holder = await pool.connect();
    try {
      // The lock every rebuild of the schema takes (the host's, from the console, as well).
      await holder.query("SELECT pg_advisory_lock(hashtext('agora.rebuild:order_read'))");
      const checkpoint = async () => (await pool.query("SELECT commit_position, prepare_position FROM messaging.checkpoints WHERE name = 'order.orders'")).rows[0];
      const before = await checkpoint();
      await expect(cli('rebuild', 'order.orders')).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('A rebuild of a projection of the schema order_read is under way; try again once it has switched.'),
      });
      expect(await checkpoint()).toEqual(before);
    } finally {
      await holder.query("SELECT pg_advisory_unlock(hashtext('agora.rebuild:order_read'))");
      holder.release();
    }
  });

  it('refuses an unknown projection, naming the ones there are', async () => {
    await expect(cli('rebuild', 'nope')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('There is no projection nope. Projections: user.users, inventory.products, order.orders, order.checkouts, payment.payments') });
  });
});

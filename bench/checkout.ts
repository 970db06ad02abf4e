/**
 * Checkout throughput through the real all-in-one host: N orders placed by C concurrent
 * customers over HTTP; each is timed from POST to its terminal status (polled).
 *
 *   npm run build && npm run bench:checkout
 *   BENCH_ORDERS=2000 BENCH_CONCURRENCY=64 npm run bench:checkout
 *   BENCH_URL=http://127.0.0.1:3000 npm run bench:checkout     against a running host
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../libs/testing/src/free-port.js';
import { HostProcess } from '../libs/testing/src/host-process.js';
import { percentile } from './statistics.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 1000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
/** Orders spread over this many products, one line each. */
const PRODUCTS = Number(process.env['BENCH_PRODUCTS'] ?? 20);
/** How often a customer looks at its pending order. */
const POLL_MS = Number(process.env['BENCH_POLL_MS'] ?? 20);

async function call<T>(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const headers = { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) };
  const response = await fetch(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as T };
}

async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const { status, body } = await call<{ accessToken: string }>('POST', `${baseUrl}/api/auth/login`, { email, password });
  if (status !== 200) throw new Error(`logging in as ${email} answered ${status}`);
  return body.accessToken;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-checkout-'));
  await chmod(dir, 0o755);
  const url = process.env['BENCH_URL'];
  const host = url ? undefined : await HostProcess.start({
    port: await freePort(),
    env: {
      LOG_LEVEL: 'warn',
      ...(process.env['BENCH_DATABASE_URL']
        ? { DATABASE_URL: process.env['BENCH_DATABASE_URL'] }
        : { DATABASE_URL: undefined, EMBEDDED_POSTGRES_DIR: join(dir, 'pg'), EMBEDDED_POSTGRES_PORT: String(await freePort()) }),
    },
  });
  const baseUrl = url ?? host!.url;
  try {
    // The seeded admin adds the products; one registered customer places every order.
    const admin = await login(baseUrl, process.env['BENCH_ADMIN_EMAIL'] ?? 'admin@agora.local', process.env['BENCH_ADMIN_PASSWORD'] ?? 'agora-admin');
    const email = `bench-${Date.now()}@example.com`;
    const registered = await call('POST', `${baseUrl}/api/users`, { email, name: 'Bench customer', password: 'bench-password' });
    if (registered.status !== 201) throw new Error(`registering the customer answered ${registered.status}`);
    const customer = await login(baseUrl, email, 'bench-password');
    const skus = Array.from({ length: PRODUCTS }, (_, i) => `BENCH-${Date.now()}-${i}`);
    for (const sku of skus) {
      const added = await call('POST', `${baseUrl}/api/products`, { sku, name: 'Bench item', priceCents: 999, currency: 'EUR', initialStock: ORDERS * 2 }, admin);
      if (added.status !== 201) throw new Error(`adding the product answered ${added.status}`);
    }
    let n = 0;
    const place = (sku = skus[n++ % skus.length]!) =>
      call<{ orderId: string; message?: unknown }>('POST', `${baseUrl}/api/orders`, { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' }, customer);
    for (const sku of skus) {
      for (let placed = await place(sku); placed.status !== 202; placed = await place(sku)) await sleep(20); // the order catalog follows inventory
    }

    const latencies: number[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ORDERS) {
          next++;
          const t0 = performance.now();
          const { status, body } = await place();
          if (status !== 202) throw new Error(`placing answered ${status}: ${JSON.stringify(body)}`);
          for (;;) {
            const order = await call<{ status: string }>('GET', `${baseUrl}/api/orders/${body.orderId}`, undefined, customer);
            if (order.body.status !== 'PENDING') {
              statuses.set(order.body.status, (statuses.get(order.body.status) ?? 0) + 1);
              break;
            }
            await sleep(POLL_MS);
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(`${ORDERS} orders over ${PRODUCTS} products, ${CONCURRENCY} concurrent customers polling every ${POLL_MS} ms, all-in-one host on PostgreSQL`);
    console.log(`completed orders/s: ${(ORDERS / seconds).toFixed(0)}`);
    console.log(`POST to terminal status: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
    console.log(`outcomes: ${[...statuses].map(([status, count]) => `${status} ${count}`).join(', ')}`);
  } finally {
    await host?.stop('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

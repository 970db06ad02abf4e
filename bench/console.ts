/**
 * What the operations console asks of the shop with many orders: the admin's list (a page
 * of 50, newest first; of one status; 20 pages deep by cursor), one order, and the live
 * feed's first event. Starts the built all-in-one host on its own embedded PostgreSQL (or
 * `BENCH_DATABASE_URL`), writes `BENCH_ORDERS` orders (default 100,000) straight into the
 * orders read model (the console reads only that and the log), then times each request
 * `BENCH_REQUESTS` times (default 200).
 *
 *   npm run build && npm run bench:console
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freePort } from '../libs/testing/src/free-port.js';
import { HostProcess } from '../libs/testing/src/host-process.js';
import { benchDatabase } from './database.js';
import { percentile } from './statistics.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 100_000);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 200);
const ENTRY = process.env['BENCH_ENTRY'];

async function main(): Promise<void> {
  const database = await benchDatabase('agora');
  const host = await HostProcess.start({ ...(ENTRY && { entry: ENTRY }), port: await freePort(), env: { LOG_LEVEL: 'warn', DATABASE_URL: database.url } });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    const seeded = Date.now();
    // Spread over a year, a quarter of them of each status; customers of 100 orders each.
    await pool.query(
      `INSERT INTO order_read.orders (order_id, customer_id, status, reason, lines, total_cents, currency, created_at, updated_at)
       SELECT gen_random_uuid(), 'customer-' || (n / 100), s.status, s.reason, '[{"sku":"MUG-BLUE","quantity":1,"unitPriceCents":1250}]', 1250, 'EUR', t, t
       FROM generate_series(1, $1) AS n,
            LATERAL (SELECT (ARRAY['PENDING','CONFIRMED','REJECTED','CANCELLED'])[1 + n % 4] AS status) AS picked,
            LATERAL (SELECT picked.status, CASE picked.status WHEN 'REJECTED' THEN 'out-of-stock' WHEN 'CANCELLED' THEN 'cancelled-by-customer' END AS reason) AS s,
            LATERAL (SELECT now() - (n * interval '315 milliseconds') AS t) AS at`,
      [ORDERS],
    );
    await pool.query('ANALYZE order_read.orders');
    console.log(`${ORDERS} orders written in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const token = await login(host.url);
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${host.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
      return response;
    };
    const deepCursor = await (async () => {
      let after: string | null = null;
      for (let page = 0; page < 20; page++) after = ((await (await get(`/api/orders?first=50${after ? `&after=${encodeURIComponent(after)}` : ''}`)).json()) as { nextCursor: string | null }).nextCursor;
      return after!;
    })();
    const { items } = (await (await get('/api/orders?first=1&status=CONFIRMED')).json()) as { items: { orderId: string }[] };

    const cases: [string, () => Promise<unknown>][] = [
      ['list, first page', () => get('/api/orders?first=50').then((r) => r.json())],
      ['list, one status', () => get('/api/orders?first=50&status=REJECTED').then((r) => r.json())],
      ['list, 21st page (cursor)', () => get(`/api/orders?first=50&after=${encodeURIComponent(deepCursor)}`).then((r) => r.json())],
      ['one order', () => get(`/api/orders/${items[0]!.orderId}`).then((r) => r.json())],
      ['live feed, first event', () => firstEvent(host.url, token)],
    ];
    console.log(`\n${'request'.padEnd(28)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
    for (const [name, request] of cases) {
      for (let i = 0; i < 10; i++) await request(); // warm-up
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const started = performance.now();
        await request();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(`${name.padEnd(28)} ${percentile(times, 50).toFixed(2).padStart(8)} ${percentile(times, 95).toFixed(2).padStart(8)} ${times.at(-1)!.toFixed(2).padStart(8)}`);
    }
  } finally {
    await pool.end();
    await host.stop('SIGTERM');
    await database.close();
  }
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@agora.local', password: 'agora-admin' }) });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** Opens the live feed and waits for its first event (`reset`), then closes it. */
async function firstEvent(url: string, token: string): Promise<void> {
  const stop = new AbortController();
  const response = await fetch(`${url}/api/orders/changes`, { headers: { authorization: `Bearer ${token}` }, signal: stop.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the feed ended before its first event');
    text += new TextDecoder().decode(value);
  }
  stop.abort();
  await reader.cancel().catch(() => undefined);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

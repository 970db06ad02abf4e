import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, freePort, HostProcess, promtoolCheckMetrics, startPrometheus, until, zipkinTrace, zipkinTraces, zipkinUrl, type PrometheusServer, type ZipkinSpan } from '@agora/testing';
import { ShopClient } from '../checkout/shop-client.js';

// The all-in-one host as its operators see it: a real Prometheus scrapes its /metrics and
// sees the checkout's counters move as orders are placed; its spans go to Zipkin.

/** Prometheus's answer to `promql`, summed over its series; 0 when it has none. */
async function sumOf(prometheus: PrometheusServer, promql: string): Promise<number> {
  return (await prometheus.query(promql)).reduce((sum, sample) => sum + sample.value, 0);
}

describe('the shop host’s metrics and traces', () => {
  let host: HostProcess;
  let client: ShopClient;
  let prometheus: PrometheusServer;
  let database: pg.Pool;

  beforeAll(async () => {
    const tracing = { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkinUrl()}/api/v2/spans`, OTEL_BSP_SCHEDULE_DELAY: '200' };
    const databaseUrl = await createTestDatabase('shop_metrics');
    database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...tracing } });
    client = await ShopClient.signIn(host.url);
    prometheus = await startPrometheus({ targets: [{ job: 'shop', url: `${host.url}/metrics` }] });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await database?.end();
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  const exposition = async () => {
    const response = await fetch(`${host.url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };

  it('serves /metrics without a token, in Prometheus’s text format, which promtool finds in order', async () => {
    const response = await fetch(`${host.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(await promtoolCheckMetrics(text)).toBe('');
    // Node's own, and the host's.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toContain('# TYPE agora_event_store_append_duration_seconds histogram');
    expect(text).toMatch(/^agora_subscriber_lag_events\{subscriber="order\.checkout-feed"\} \d+$/m);
    expect(text).toMatch(/^agora_circuit_breaker_state\{target="payment-gateway"\} 0$/m);
    // Not under the API's prefix.
    expect((await fetch(`${host.url}/api/metrics`)).status).toBe(404);
  });

  it('writes no log line for a scrape: Prometheus reads /metrics every few seconds', async () => {
    expect((await fetch(`${host.url}/metrics`, { headers: { 'x-correlation-id': 'scrape-1' } })).status).toBe(200);
    // Lines keep their order: once a later request's line is there, a line of the scrape would be too.
    expect((await fetch(`${host.url}/api/no-such-thing`, { headers: { 'x-correlation-id': 'after-scrape-1' } })).status).toBe(404);
    await host.waitForLog((line) => line['correlationId'] === 'after-scrape-1');
    expect(host.logs().filter((line) => line['correlationId'] === 'scrape-1')).toEqual([]);
  });

  it('lets Prometheus see the checkout’s outcomes move as orders are placed: confirmed, rejected with the reason, the compensation', async () => {
    await until(async () => (await prometheus.targets()).some((target) => target.health === 'up'), 30_000);
    const before = {
      started: await sumOf(prometheus, 'agora_saga_started_total{saga="checkout"}'),
      confirmed: await sumOf(prometheus, 'agora_saga_outcomes_total{saga="checkout",outcome="confirmed"}'),
      declined: await sumOf(prometheus, 'agora_saga_outcomes_total{saga="checkout",outcome="rejected",reason="payment-declined"}'),
    };

    const sku = await client.addProduct(10);
    const orders = [await client.placeOrder([{ sku, quantity: 1 }]), await client.placeOrder([{ sku, quantity: 2 }]), await client.placeOrder([{ sku, quantity: 1 }], 'tok_declined')];
    const outcomes = await Promise.all(orders.map(async (orderId) => (await client.settled(orderId)).status));
    expect(outcomes).toEqual(['CONFIRMED', 'CONFIRMED', 'REJECTED']);

    await until(async () => (await sumOf(prometheus, 'agora_saga_outcomes_total{saga="checkout"}')) >= before.confirmed + before.declined + 3, 30_000);
    expect(await sumOf(prometheus, 'agora_saga_started_total{saga="checkout"}')).toBe(before.started + 3);
    expect(await sumOf(prometheus, 'agora_saga_outcomes_total{saga="checkout",outcome="confirmed"}')).toBe(before.confirmed + 2);
    expect(await sumOf(prometheus, 'agora_saga_outcomes_total{saga="checkout",outcome="rejected",reason="payment-declined"}')).toBe(before.declined + 1);
    // The declined order's stock was released: a compensation.
    expect(await sumOf(prometheus, 'agora_saga_compensations_total{saga="checkout",command="inventory.release-reservation.v1"}')).toBeGreaterThanOrEqual(1);
    expect(await sumOf(prometheus, 'agora_saga_duration_seconds_count{saga="checkout"}')).toBeGreaterThanOrEqual(3);
    // The payment provider's answers, and the relays' publishing.
    expect(await sumOf(prometheus, 'agora_payment_gateway_call_duration_seconds_count{call="charge",outcome="approved"}')).toBeGreaterThanOrEqual(2);
    expect(await sumOf(prometheus, 'agora_payment_gateway_call_duration_seconds_count{call="charge",outcome="declined"}')).toBeGreaterThanOrEqual(1);
    expect(await sumOf(prometheus, 'agora_relay_published_messages_total{relay="relay.order.checkout"}')).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('labels requests with the route’s template, never with an id', async () => {
    const sku = await client.addProduct(5);
    const orderId = await client.placeOrder([{ sku, quantity: 1 }]);
    await client.order(orderId);
    const text = await exposition();
    expect(text).toMatch(/^agora_http_request_duration_seconds_count\{method="GET",route="\/api\/orders\/:id",status_code="200"\} \d+$/m);
    expect(text).toMatch(/^agora_http_request_duration_seconds_count\{method="POST",route="\/api\/orders",status_code="202"\} \d+$/m);
    expect(text).not.toContain(orderId);
    expect(text).not.toContain(sku);
    // A path no route takes is counted without the path.
    expect((await fetch(`${host.url}/api/no-such-${orderId}`)).status).toBe(404);
    const after = await exposition();
    expect(after).toMatch(/^agora_http_request_duration_seconds_count\{method="GET",route="[^"]+",status_code="404"\} \d+$/m);
    expect(after).not.toContain(orderId);
  });

  it('follows one checkout as one trace, from the request through the saga’s steps to the confirmation', async () => {
    const sku = await client.addProduct(5);
    const [traceId, spanId] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
    const placed = await client.request<{ orderId: string }>('POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' }, { traceparent: `00-${traceId}-${spanId}-01` });
    expect(placed.status).toBe(202);
    expect((await client.settled(placed.body.orderId)).status).toBe('CONFIRMED');
    // Handed over in memory in this mode, the messages are each handled in a span of their own.
    const steps = ['process inventory.reserve-stock.v1', 'saga checkout inventory.stock-reserved.v1', 'payment settle', 'payment-provider charge', 'saga checkout payment.payment-captured.v1', 'process inventory.commit-reservation.v1'];
    let spans: ZipkinSpan[] = [];
    await until(async () => {
      spans = await zipkinTrace(traceId);
      return steps.every((name) => spans.some((span) => span.name === name));
    }, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the trace has: ${spans.map((span) => span.name).join(', ')}`);
    });
    expect(new Set(spans.map((span) => span.localEndpoint.serviceName))).toEqual(new Set(['agora-shop']));
    expect(spans.find((span) => span.parentId === spanId)).toMatchObject({ kind: 'SERVER', tags: { 'http.route': '/api/orders' } });
    // None is cut off from the caller's span.
    const byId = new Map(spans.map((span) => [span.id, span]));
    const rootOf = (span: ZipkinSpan): string | undefined => (span.parentId && byId.has(span.parentId) ? rootOf(byId.get(span.parentId)!) : span.parentId);
    for (const span of spans) expect({ span: span.name, root: rootOf(span) }).toEqual({ span: span.name, root: spanId });
  }, 60_000);

  it('carries a trace its caller left out (not sampled) through the checkout, and records none of it', async () => {
    const sku = await client.addProduct(5);
    // Zipkin's timestamps: microseconds on this machine's clock.
    const from = Date.now() * 1000;
    const leftOut = randomBytes(16).toString('hex');
    const placed = await client.request<{ orderId: string }>('POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' }, { traceparent: `00-${leftOut}-${randomBytes(8).toString('hex')}-00` });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    expect((await client.settled(orderId)).status).toBe('CONFIRMED');
    // What every context wrote for the checkout stays in the caller's trace, not sampled:
    // an app that handles it later, in this process or another, records none of it either.
    const { rows } = await database.query<{ type: string; traceparent: string | null }>(
      `SELECT event_type AS type, metadata->>'traceparent' AS traceparent FROM event_store.events WHERE data->>'orderId' = $1 ORDER BY global_position`,
      [orderId],
    );
    expect(rows.map((row) => row.type)).toEqual(expect.arrayContaining(['order.placed.v1', 'inventory.reservation-accepted.v1', 'payment.captured.v1', 'order.confirmed.v1']));
    for (const row of rows) expect(row).toEqual({ type: row.type, traceparent: expect.stringMatching(new RegExp(`^00-${leftOut}-[0-9a-f]{16}-00$`)) });
    // A checkout traced after it is exported whole; of this one, no span was.
    const settledAt = Date.now() * 1000;
    const traced = randomBytes(16).toString('hex');
    const next = await client.request<{ orderId: string }>('POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' }, { traceparent: `00-${traced}-${randomBytes(8).toString('hex')}-01` });
    expect((await client.settled(next.body.orderId)).status).toBe('CONFIRMED');
    await until(async () => (await zipkinTrace(traced)).some((span) => span.name === 'process inventory.commit-reservation.v1'), 30_000);
    expect(await zipkinTrace(leftOut)).toEqual([]);
    // Nor did a step start a trace of its own: no step of any checkout ran while this one did
    // (the customer's GETs without a traceparent are traces of their own, and are left aside).
    const steps = new Set(['payment settle', 'payment-provider charge', 'process inventory.reserve-stock.v1', 'process inventory.commit-reservation.v1']);
    const recent = (await zipkinTraces({ serviceName: 'agora-shop', lookbackMs: 120_000, limit: 1000 })).flat();
    expect(recent.filter((span) => span.traceId === traced && steps.has(span.name)).length).toBe(steps.size);
    expect(recent.filter((span) => span.timestamp >= from && span.timestamp < settledAt && (steps.has(span.name) || span.name.startsWith('saga ')))).toEqual([]);
  }, 60_000);

  it('names a request’s server span by its route’s template, never by the id in its path', async () => {
    const sku = await client.addProduct(5);
    const orderId = await client.placeOrder([{ sku, quantity: 1 }]);
    const [traceId, spanId] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
    expect((await client.request('GET', `/api/orders/${orderId}`, undefined, { traceparent: `00-${traceId}-${spanId}-01` })).status).toBe(200);
    let spans: ZipkinSpan[] = [];
    await until(async () => (spans = await zipkinTrace(traceId)).some((span) => span.parentId === spanId), 30_000);
    const server = spans.find((span) => span.parentId === spanId)!;
    // Zipkin lowercases names.
    expect({ name: server.name, kind: server.kind, route: server.tags?.['http.route'] }).toEqual({ name: 'get /api/orders/:id', kind: 'SERVER', route: '/api/orders/:id' });
  }, 60_000);
});

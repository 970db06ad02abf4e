import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CONTEXT_APPS,
  dashboardMetricNames,
  DistributedShop,
  promtoolCheckMetrics,
  startPrometheus,
  until,
  zipkinTrace,
  zipkinUrl,
  type PrometheusServer,
  type PublicEntry,
  type ZipkinSpan,
} from '@agora/testing';
import { ShopClient } from '../checkout/shop-client.js';

// The distributed shop as its operators see it, all real: every app exports its spans to
// Zipkin (the OTEL_* variables only) and serves /metrics, which a real Prometheus scrapes.

/** A W3C trace context of a new, sampled trace, as a browser or a client's tracer would send it. */
function newTrace(): { traceId: string; spanId: string; traceparent: string } {
  const [traceId, spanId] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

describe('the distributed shop’s traces and metrics', () => {
  let shop: DistributedShop;
  let entry: PublicEntry;
  let client: ShopClient;
  let prometheus: PrometheusServer;
  /** Each app's and the gateway's own URL: where /metrics is served. */
  let apps: { name: string; url: string }[];

  beforeAll(async () => {
    const tracing = {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkinUrl()}/api/v2/spans`,
      // Spans go out within a fifth of a second, not the default five.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    shop = await DistributedShop.start({ env: { LOG_LEVEL: 'warn', ...tracing }, registry: {} });
    entry = await shop.startEntry();
    client = await ShopClient.signIn(entry.url);
    apps = [...CONTEXT_APPS.map((app) => ({ name: app, url: shop.instancesOf(app)[0]!.url })), { name: 'gateway', url: entry.gateway.url }];
    prometheus = await startPrometheus({ targets: apps.map(({ name, url }) => ({ job: name, url: `${url}/metrics` })) });
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await entry?.stop();
    await shop?.stop();
  }, 60_000);

  it('follows one checkout as one trace: the order’s request, the saga’s steps, inventory and payment, to the confirmation', async () => {
    const sku = await client.addProduct(5);
    const caller = newTrace();
    // Through nginx, with the trace of a client of our own: the order app continues it.
    const placed = await client.until(
      () => client.request<{ orderId?: string; message?: string }>('POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' }, { traceparent: caller.traceparent }),
      // The order app learns of a new product from inventory's messages.
      (answer) => answer.status === 202,
    );
    const orderId = placed.body.orderId!;
    expect((await client.settled(orderId)).status).toBe('CONFIRMED');

    // The checkout's steps across four processes and Kafka, each under the span it names
    // (the order's request, or an earlier step).
    const chain = [
      { service: 'inventory', name: 'process inventory.reserve-stock.v1', under: 'request' },
      { service: 'order', name: 'process inventory.stock-reserved.v1', under: 'process inventory.reserve-stock.v1' },
      { service: 'order', name: 'saga checkout inventory.stock-reserved.v1', under: 'process inventory.stock-reserved.v1' },
      { service: 'payment', name: 'process payment.charge-payment.v1', under: 'saga checkout inventory.stock-reserved.v1' },
      { service: 'payment', name: 'payment settle', under: 'process payment.charge-payment.v1' },
      { service: 'payment', name: 'payment-provider charge', under: 'payment settle' },
      { service: 'order', name: 'process payment.payment-captured.v1', under: 'payment settle' },
      { service: 'order', name: 'saga checkout payment.payment-captured.v1', under: 'process payment.payment-captured.v1' },
      { service: 'inventory', name: 'process inventory.commit-reservation.v1', under: 'saga checkout payment.payment-captured.v1' },
      // The confirmation the same step decided, as the recommendation app takes it in.
      { service: 'recommendation', name: 'process order.order-confirmed.v1', under: 'saga checkout payment.payment-captured.v1' },
    ];
    // Zipkin lowercases names. Spans arrive from each app on its own schedule.
    let spans: ZipkinSpan[] = [];
    const named = (name: string) => spans.find((span) => span.name === name);
    await until(async () => {
      spans = await zipkinTrace(caller.traceId);
      return chain.every(({ service, name }) => named(name)?.localEndpoint.serviceName === `agora-${service}`);
    }, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; the trace has: ${spans.map((span) => `${span.localEndpoint.serviceName} ${span.name}`).join(', ')}`);
    });

    expect(new Set(spans.map((span) => span.localEndpoint.serviceName))).toEqual(new Set(['agora-order', 'agora-inventory', 'agora-payment', 'agora-recommendation']));
    const request = spans.find((span) => span.parentId === caller.spanId)!;
    expect(request).toMatchObject({ kind: 'SERVER', localEndpoint: { serviceName: 'agora-order' }, tags: { 'http.request.method': 'POST', 'http.route': '/api/orders' } });
    const parentOf = (under: string) => (under === 'request' ? request : named(under)!);
    expect(chain.map(({ name, under }) => `${name} under ${ancestorsOf(spans, named(name)!).includes(parentOf(under).id) ? under : '?'}`)).toEqual(
      chain.map(({ name, under }) => `${name} under ${under}`),
    );
    const [reserve, provider] = [named('process inventory.reserve-stock.v1')!, named('payment-provider charge')!];
    expect(reserve.kind).toBe('CONSUMER');
    expect(reserve.tags).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': `${shop.topicPrefix}inventory.commands.v1` });
    expect(provider.kind).toBe('CLIENT');
    // Every span of the trace hangs from the caller's: none is cut off.
    for (const span of spans) expect({ span: span.name, root: ancestorsOf(spans, span).at(-1) }).toEqual({ span: span.name, root: caller.spanId });
  }, 60_000);

  it('serves /metrics on each app’s and the gateway’s own port, which promtool finds in order, and not through nginx', async () => {
    for (const { name, url } of apps) {
      const response = await fetch(`${url}/metrics`);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      await expect(promtoolCheckMetrics(await response.text())).resolves.toBe('');
    }
    const outside = await fetch(`${entry.url}/metrics`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('agora_');
  });

  it('lets Prometheus scrape every app and see the checkout move through Kafka', async () => {
    await until(async () => (await prometheus.targets()).filter((target) => target.health === 'up').length === apps.length, 30_000);
    const sum = async (promql: string) => (await prometheus.query(promql)).reduce((total, sample) => total + sample.value, 0);
    const before = await sum('agora_saga_outcomes_total{job="order",outcome="confirmed"}');
    const sku = await client.addProduct(5);
    const orderId = await client.until(
      () => client.placeOrder([{ sku, quantity: 1 }]).catch(() => undefined),
      (id) => id !== undefined,
    );
    expect((await client.settled(orderId!)).status).toBe('CONFIRMED');
    await until(async () => (await sum('agora_saga_outcomes_total{job="order",outcome="confirmed"}')) > before, 30_000);
    expect(await sum('agora_kafka_message_handle_duration_seconds_count{job="inventory",outcome="handled"}')).toBeGreaterThan(0);
    expect(await sum('agora_payment_gateway_call_duration_seconds_count{job="payment",call="charge",outcome="approved"}')).toBeGreaterThan(0);
    expect(await sum('agora_relay_published_messages_total{job="order"}')).toBeGreaterThan(0);
  }, 60_000);

  it('serves every metric the Grafana dashboard queries', async () => {
    const texts = await Promise.all(apps.map(async ({ url }) => (await fetch(`${url}/metrics`)).text()));
    // Declared by some app: a counter with labels has no series until it first counts.
    const declared = new Set(texts.flatMap((text) => [...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!]))));
    const queried = dashboardMetricNames(JSON.parse(readFileSync('deploy/grafana/dashboards/agora-checkout.json', 'utf8')));
    expect(queried.length).toBeGreaterThan(10);
    expect(queried.filter((name) => !declared.has(name))).toEqual([]);
  });
});

/** The ids of a span's parents, nearest first, up to the first one not in the trace (the caller's). */
function ancestorsOf(spans: readonly ZipkinSpan[], span: ZipkinSpan): string[] {
  const byId = new Map(spans.map((each) => [each.id, each]));
  const ancestors: string[] = [];
  for (let parent = span.parentId; parent !== undefined; parent = byId.get(parent)?.parentId) {
    ancestors.push(parent);
    if (!byId.has(parent)) break;
  }
  return ancestors;
}

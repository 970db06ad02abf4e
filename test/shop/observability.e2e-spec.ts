import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, freePort, HostProcess, promtoolCheckMetrics, startPrometheus, until, type PrometheusServer } from '@agora/testing';
import { ShopClient } from '../checkout/shop-client.js';

// The all-in-one host's metrics as Prometheus sees them: a real Prometheus scrapes its
// /metrics, and the checkout's counters move as orders are placed.

/** Prometheus's answer to `promql`, summed over its series; 0 when it has none. */
async function sumOf(prometheus: PrometheusServer, promql: string): Promise<number> {
  return (await prometheus.query(promql)).reduce((sum, sample) => sum + sample.value, 0);
}

describe('the shop host’s metrics', () => {
  let host: HostProcess;
  let client: ShopClient;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('shop_metrics'), LOG_LEVEL: 'warn' } });
    client = await ShopClient.signIn(host.url);
    prometheus = await startPrometheus({ targets: [{ job: 'shop', url: `${host.url}/metrics` }] });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
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
});

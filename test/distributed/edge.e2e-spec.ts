import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { DistributedShop, edgeRoutes, until, type HostProcess } from '@agora/testing';
import { ShopClient } from '../checkout/shop-client.js';

// The public entry of the distributed mode, all real: the apps register in etcd, the edge
// renders nginx's upstreams from the registry and reloads nginx, and clients speak to
// nginx only.

const HEAVY = 'order-heavy';

/** Sends `request` as it is, bytes no HTTP client would send, and answers all that comes back. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request, 'latin1'));
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer)).on('error', reject);
  });
}
const LIGHT = 'order-light';

describe('the public entry: nginx over the service registry', () => {
  let shop: DistributedShop;
  let edge: HostProcess;
  let client: ShopClient;

  /** The instance ids the edge routes `service` to, as its last reload logged them. */
  const routed = (service: string) => (edgeRoutes(edge)?.[service] ?? []).map((route) => route.id);

  beforeAll(async () => {
    shop = await DistributedShop.start({
      env: { LOG_LEVEL: 'warn' },
      registry: { leaseTtlSeconds: 2 },
      instances: {
        order: [
          { INSTANCE_ID: HEAVY, INSTANCE_WEIGHT: '3' },
          { INSTANCE_ID: LIGHT, INSTANCE_WEIGHT: '1' },
        ],
      },
    });
    edge = await shop.startEdge();
    // Every instance registers once it listens; the edge routes to all six.
    await until(() => Object.values(edgeRoutes(edge) ?? {}).flat().length === 6, 15_000);
    client = await ShopClient.signIn(edge.url);
  }, 120_000);

  afterAll(async () => {
    // The edge stops nginx and itself cleanly on SIGTERM, as every app does.
    if (edge) expect(await edge.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await shop?.stop();
  }, 30_000);

  it('splits the order app’s requests 3:1 between instances weighted 3 and 1', async () => {
    expect(routed('order').sort()).toEqual([HEAVY, LIGHT]);
    const answeredBy = new Map<string, number>();
    for (let request = 0; request < 400; request++) {
      const { status, headers } = await client.exchange('GET', '/api/orders');
      expect(status).toBe(200);
      const instance = headers.get('x-instance-id') ?? 'none';
      answeredBy.set(instance, (answeredBy.get(instance) ?? 0) + 1);
    }
    expect([...answeredBy.keys()].sort()).toEqual([HEAVY, LIGHT]);
    // Within 5 % of 300 and 100.
    expect(answeredBy.get(HEAVY)).toBeGreaterThanOrEqual(285);
    expect(answeredBy.get(HEAVY)).toBeLessThanOrEqual(315);
    expect(answeredBy.get(LIGHT)).toBeGreaterThanOrEqual(95);
    expect(answeredBy.get(LIGHT)).toBeLessThanOrEqual(105);
  });

  it('routes every path of the public API to the app of its context, and nothing else', async () => {
    const sku = await client.addProduct(3);
    const servedBy = async (path: string, as: 'customer' | 'admin' = 'customer') => {
      const { status, headers } = await client.exchange('GET', path, undefined, {}, as);
      return { status, instance: headers.get('x-instance-id')?.replace(/-.*$/, '') };
    };
    expect(await servedBy(`/api/products/${sku}`)).toEqual({ status: 200, instance: 'inventory' });
    expect(await servedBy(`/api/products/${sku}/also-bought`)).toEqual({ status: 200, instance: 'recommendation' });
    expect(await servedBy('/api/recommendations/me')).toEqual({ status: 200, instance: 'recommendation' });
    expect(await servedBy('/api/users/me')).toEqual({ status: 200, instance: 'user' });
    expect(await servedBy(`/api/payments?orderId=${randomUUID()}`, 'admin')).toMatchObject({ instance: 'payment' });
    expect((await servedBy('/api/orders')).instance).toBe('order');

    // An app's own pages are not public: its metrics, its OpenAPI document.
    for (const path of ['/metrics', '/docs', '/api/nothing-here']) {
      const { status, body } = await client.request<{ message: string }>('GET', path, undefined, {}, 'anonymous');
      expect({ path, status }).toEqual({ path, status: 404 });
      expect(body.message).toContain(path);
    }
    // A body over nginx's limit is refused there, as JSON like the apps' errors.
    const tooLarge = await client.request<{ statusCode: number; message: string }>('POST', '/api/orders', { note: 'x'.repeat(200_000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ statusCode: 413, message: expect.stringContaining('larger than') });
    // So are a header over nginx's buffers, and a request nginx cannot read at all.
    const bigHeader = await client.request<{ statusCode: number; message: string }>('GET', '/api/orders', undefined, { 'x-padding': 'x'.repeat(20_000) });
    expect(bigHeader).toEqual({ status: 431, body: expect.objectContaining({ statusCode: 431, message: expect.stringContaining('header is larger than') }) });
    for (const requestLine of ['GET /api/ord\u0000ers HTTP/1.1', 'NOT HTTP AT ALL']) {
      const answer = await rawRequest(edge.url, `${requestLine}\r\nHost: agora\r\n\r\n`);
      expect({ requestLine, head: answer.split('\r\n')[0] }).toEqual({ requestLine, head: 'HTTP/1.1 400 Bad Request' });
      expect(answer).toMatch(/\r\nContent-Type: application\/json\r\n/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: 400, message: expect.stringContaining('not valid HTTP') });
    }
  });

  it('passes the caller’s request id, idempotency key and trace context through to the app', async () => {
    const requestId = `req-${randomUUID()}`;
    const { headers } = await client.exchange('GET', '/api/orders', undefined, { 'x-request-id': requestId, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    // The app took nginx's X-Request-Id as the request's correlation id, and says so.
    expect(headers.get('x-correlation-id')).toBe(requestId);

    // One Idempotency-Key, sent twice: whichever instances answer, one order.
    const sku = await client.addProduct(5);
    const key = randomUUID();
    const first = await client.placeOrder([{ sku, quantity: 1 }], 'tok_visa', key);
    const second = await client.placeOrder([{ sku, quantity: 1 }], 'tok_visa', key);
    expect(second).toBe(first);
  });

  /**
   * GET /api/orders as a browser sends it: once more when the kept-alive connection it
   * went out on was closed under it. nginx's reload (on every change of the registry)
   * closes its old workers' idle connections, and one may close just as a request is sent
   * on it; the request never reached nginx.
   */
  const getOrders = () => client.exchange('GET', '/api/orders').catch(() => client.exchange('GET', '/api/orders'));

  it('stops sending to a killed instance once its lease expires, failing no request meanwhile, and sends to a new one without a restart', async () => {
    const ids = await Promise.all(shop.instancesOf('order').map(async (host) => (await fetch(`${host.url}/health`)).headers.get('x-instance-id')));
    const light = shop.instancesOf('order')[ids.indexOf(LIGHT)]!;
    // Requests go on while the instance dies: every one is answered by an instance.
    let stop = false;
    const failures: string[] = [];
    let sent = 0;
    const load = (async () => {
      while (!stop) {
        sent++;
        const { status, body } = await getOrders();
        if (status !== 200) failures.push(`${status} ${JSON.stringify(body)}`);
      }
    })();
    await until(() => sent > 20);
    await shop.kill(light, 'SIGKILL');
    await until(() => !routed('order').includes(LIGHT), 10_000);
    stop = true;
    await load;
    expect(failures).toEqual([]);

    // The checkout flow completes through the entry with one order instance left. The
    // product reaches the order app's catalog once Kafka has given the dead instance's
    // partitions to the live one (its session timeout, 10 s).
    const sku = await client.addProduct(2);
    let orderId: string | undefined;
    await until(async () => (orderId = await client.placeOrder([{ sku, quantity: 1 }]).catch(() => undefined)) !== undefined, 30_000);
    expect(await client.settled(orderId!)).toMatchObject({ status: 'CONFIRMED' });

    // A new instance joins: nginx sends to it without being restarted by hand.
    await shop.startInstance('order', { INSTANCE_ID: 'order-new', INSTANCE_WEIGHT: '1' });
    await until(() => routed('order').includes('order-new'), 15_000);
    const seen = new Set<string>();
    await until(async () => {
      seen.add((await getOrders()).headers.get('x-instance-id') ?? '');
      return seen.has('order-new');
    }, 10_000);
    expect([...seen].sort()).toEqual([HEAVY, 'order-new']);
  }, 90_000);
});

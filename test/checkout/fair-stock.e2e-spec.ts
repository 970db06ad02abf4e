import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MODES, type Running } from './modes.js';
import { ShopClient, type GraphqlAnswer, type OrderView } from './shop-client.js';

// One customer cannot hold the stock of others: limits on what a customer has in pending
// orders, and a TTL on a reservation whose payment does not answer. Small limits here, so
// that a test reaches them; the payment simulator answers tok_timeout only after the TTL.
const MAX_PENDING = 3;
const MAX_UNITS = 10;
const TTL_MS = 4_000;
const ENV = {
  ORDER_MAX_PENDING_PER_CUSTOMER: String(MAX_PENDING),
  ORDER_MAX_PENDING_UNITS_PER_CUSTOMER: String(MAX_UNITS),
  RESERVATION_TTL_MS: String(TTL_MS),
  CHECKOUT_PAYMENT_TIMEOUT_MS: '15000',
  PAYMENT_GATEWAY_LATE_ANSWER_MS: '6000',
};

const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { orderId } }';

describe.each(MODES)('fair stock in $mode', ({ start }) => {
  let running: Running;
  let admin: ShopClient;

  beforeAll(async () => {
    running = await start(ENV);
    admin = await ShopClient.signIn(running.route);
  }, 90_000);

  afterAll(async () => {
    for (const exit of (await running?.stop()) ?? []) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  /** A customer of their own, so that tests never share an allowance. */
  const customer = () => ShopClient.signIn(running.route);
  const place = (shop: ShopClient, lines: { sku: string; quantity: number }[], paymentToken = 'tok_visa') =>
    shop.request<{ orderId?: string; message?: string; limit?: string; max?: number }>('POST', '/api/orders', { lines, paymentToken });
  const ordersOf = async (shop: ShopClient) => (await shop.request<{ items: OrderView[] }>('GET', '/api/orders?first=100')).body.items;
  /** A product the order context already prices, so that no request is refused for a catalog that is behind. */
  const product = async (stock: number) => {
    const sku = await admin.addProduct(stock);
    await admin.settled(await admin.placeOrder([{ sku, quantity: 1 }]));
    return sku;
  };

  it('refuses one order past the pending orders at once with 429 naming the limit, over REST and GraphQL, and writes nothing', async () => {
    const shop = await customer();
    const sku = await product(100);
    const pending = [];
    for (let i = 0; i < MAX_PENDING; i++) pending.push(await shop.placeOrder([{ sku, quantity: 1 }], 'tok_timeout'));

    const refused = await place(shop, [{ sku, quantity: 1 }]);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', limit: 'ORDER_MAX_PENDING_PER_CUSTOMER', max: MAX_PENDING });
    expect(refused.body.message).toMatch(/at most 3 at once \(ORDER_MAX_PENDING_PER_CUSTOMER\), and 3 are pending/);

    const overGraphql = await shop.request<GraphqlAnswer<unknown>>('POST', '/graphql', { query: PLACE_ORDER, variables: { input: { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' } } });
    expect(overGraphql.status).toBe(429);
    expect(overGraphql.body.errors).toEqual([expect.objectContaining({ message: refused.body.message, extensions: expect.objectContaining({ code: 'TOO_MANY_REQUESTS', limit: 'ORDER_MAX_PENDING_PER_CUSTOMER', max: MAX_PENDING }) })]);

    // Nothing was placed: the customer has their three orders and no more.
    expect((await ordersOf(shop)).map((order) => order.orderId).sort()).toEqual([...pending].sort());

    // Their orders end (cancelled here): the allowance comes back.
    for (const orderId of pending) expect((await shop.request('POST', `/api/orders/${orderId}/cancel`)).status).toBe(202);
    for (const orderId of pending) expect(await shop.settled(orderId)).toMatchObject({ status: 'CANCELLED' });
    const again = await place(shop, [{ sku, quantity: 1 }]);
    expect(again.status).toBe(202);
    expect(await shop.settled(again.body.orderId!)).toMatchObject({ status: 'CONFIRMED' });
  }, 60_000);

  it('refuses an order past the units in pending orders with 429 naming the limit', async () => {
    const shop = await customer();
    const sku = await product(100);
    const held = await shop.placeOrder([{ sku, quantity: 8 }], 'tok_timeout');

    const refused = await place(shop, [{ sku, quantity: 3 }]);
    expect(refused).toMatchObject({ status: 429, body: { limit: 'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER', max: MAX_UNITS } });
    expect(refused.body.message).toMatch(/8 are pending and this order adds 3/);
    expect((await ordersOf(shop)).map((order) => order.orderId)).toEqual([held]);
    expect((await place(shop, [{ sku, quantity: 2 }], 'tok_timeout')).status).toBe(202); // up to the limit exactly
  }, 60_000);

  it('lets no more than the limit through when one customer sends 32 orders at once, and gives the allowance back once they end', async () => {
    const shop = await customer();
    const sku = await product(100);
    // Payment leaves them pending (until the TTL): none ends, and gives its allowance back, during the burst.
    const answers = await Promise.all(Array.from({ length: 32 }, () => place(shop, [{ sku, quantity: 1 }], 'tok_timeout')));

    expect(answers.map((answer) => answer.status).sort()).toEqual([...Array<number>(MAX_PENDING).fill(202), ...Array<number>(32 - MAX_PENDING).fill(429)]);
    const placed = answers.filter((answer) => answer.status === 202).map((answer) => answer.body.orderId!);
    expect((await ordersOf(shop)).map((order) => order.orderId).sort()).toEqual([...placed].sort());
    for (const orderId of placed) expect((await shop.request('POST', `/api/orders/${orderId}/cancel`)).status).toBe(202);
    for (const orderId of placed) expect(await shop.settled(orderId)).toMatchObject({ status: 'CANCELLED' });

    const next = await Promise.all(Array.from({ length: MAX_PENDING }, () => place(shop, [{ sku, quantity: 1 }])));
    expect(next.map((answer) => answer.status)).toEqual(Array(MAX_PENDING).fill(202));
    for (const { body } of next) expect(await shop.settled(body.orderId!)).toMatchObject({ status: 'CONFIRMED' });
    expect(await shop.eventually(() => shop.product(sku), { reserved: 0, sold: 1 + MAX_PENDING })).toMatchObject({ available: 100 - 1 - MAX_PENDING });
  }, 60_000);

  it('releases a reservation whose payment has not answered within the TTL, and refunds the payment that comes after', async () => {
    const shop = await customer();
    const sku = await product(4);
    const orderId = await shop.placeOrder([{ sku, quantity: 2 }], 'tok_timeout');
    await shop.eventually(() => shop.product(sku), { reserved: 2 });

    const order = await shop.settled(orderId);
    expect(order).toMatchObject({ status: 'REJECTED', reason: 'reservation-expired' });
    expect(await shop.eventually(() => shop.product(sku), { reserved: 0 })).toMatchObject({ available: 3, reserved: 0 });

    // The simulator approves tok_timeout after 6 s, when the stock is gone: that money goes back, once.
    const payments = await shop.until(
      () => shop.payments(orderId),
      (p) => p.refunds.some((r) => r.status === 'refunded'),
    );
    expect(payments.charges).toEqual([expect.objectContaining({ status: 'captured', amountCents: 2 * 1250 })]);
    expect(payments.refunds).toEqual([expect.objectContaining({ status: 'refunded', amountCents: 2 * 1250 })]);
    expect(await shop.product(sku)).toMatchObject({ available: 3, reserved: 0, sold: 1 });
  }, 60_000);
});

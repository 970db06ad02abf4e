import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MAX_PRICE_CENTS, MAX_STOCK_ADDITION } from '@agora/inventory';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '@agora/order';
import { MODES, type Running } from './modes.js';
import { ShopClient, type GraphqlAnswer } from './shop-client.js';

// What the API accepts, every read model holds: the largest order the bounds allow goes
// through the checkout and shows exactly everywhere; one unit past a bound is refused.
const LARGEST_TOTAL = MAX_ORDER_LINES * MAX_LINE_QUANTITY * MAX_PRICE_CENTS;

const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { orderId } }';
const ADD_PRODUCT = 'mutation($input: AddProductInput!) { addProduct(input: $input) { sku } }';
const ADD_STOCK = 'mutation($sku: String!, $quantity: Int!) { addStock(sku: $sku, quantity: $quantity) { available } }';

describe.each(MODES)('the bounds of the API in $mode', ({ start }) => {
  let running: Running;
  let shop: ShopClient;

  beforeAll(async () => {
    // The largest order holds more units than one customer may have pending by default.
    running = await start({ ORDER_MAX_PENDING_UNITS_PER_CUSTOMER: String(MAX_ORDER_LINES * MAX_LINE_QUANTITY) });
    shop = await ShopClient.signIn(running.route);
  }, 90_000);

  afterAll(async () => {
    for (const exit of (await running?.stop()) ?? []) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  const product = async (sku: string) => shop.request<Record<string, unknown>>('GET', `/api/products/${sku}`);

  it(
    'takes the largest order through the checkout, and every read model shows it exactly',
    async () => {
      // Every line at the highest price and the most units: the largest total an order can have.
      const skus = Array.from({ length: MAX_ORDER_LINES }, () => `MAX-${randomUUID().slice(0, 8).toUpperCase()}`);
      for (let i = 0; i < skus.length; i += 10) {
        await Promise.all(
          skus.slice(i, i + 10).map(async (sku) => {
            const body = { sku, name: `Crown ${sku}`, priceCents: MAX_PRICE_CENTS, currency: 'EUR', initialStock: MAX_STOCK_ADDITION };
            expect((await shop.request('POST', '/api/products', body, {}, 'admin')).status).toBe(201);
          }),
        );
      }
      // Stock grows by many additions: two more of the largest, over REST and over GraphQL.
      const [first] = skus as [string];
      expect((await shop.request('POST', `/api/products/${first}/stock`, { quantity: MAX_STOCK_ADDITION }, {}, 'admin')).status).toBe(200);
      const added = await shop.graphql<{ addStock: { available: number } }>(ADD_STOCK, { sku: first, quantity: MAX_STOCK_ADDITION }, 'admin');
      expect(added).toEqual({ data: { addStock: { available: 3 * MAX_STOCK_ADDITION } } });

      const orderId = await shop.placeOrder(skus.map((sku) => ({ sku, quantity: MAX_LINE_QUANTITY })));
      expect(await shop.settled(orderId, 60_000)).toMatchObject({ status: 'CONFIRMED', totalCents: LARGEST_TOTAL, currency: 'EUR' });

      const order = await shop.request<{ totalCents: number; lines: unknown[] }>('GET', `/api/orders/${orderId}`);
      expect(order.body.totalCents).toBe(100_000_000_000_000);
      expect(order.body.lines).toEqual(skus.map((sku) => ({ sku, quantity: MAX_LINE_QUANTITY, unitPriceCents: MAX_PRICE_CENTS })));
      const graphqlOrder = await shop.graphql<{ order: { totalCents: number } }>('query($id: ID!) { order(id: $id) { totalCents } }', { id: orderId });
      expect(graphqlOrder).toEqual({ data: { order: { totalCents: LARGEST_TOTAL } } });

      // The sale reaches every product a moment after the order's confirmation.
      const sold = { available: MAX_STOCK_ADDITION - MAX_LINE_QUANTITY, reserved: 0, sold: MAX_LINE_QUANTITY };
      expect(await shop.eventually(() => shop.product(first), { sold: MAX_LINE_QUANTITY })).toMatchObject({ ...sold, available: 3 * MAX_STOCK_ADDITION - MAX_LINE_QUANTITY });
      for (const sku of skus.slice(1)) expect(await shop.eventually(() => shop.product(sku), { sold: MAX_LINE_QUANTITY })).toMatchObject(sold);
      expect((await product(skus[1]!)).body).toMatchObject({ priceCents: MAX_PRICE_CENTS });

      const payments = await shop.until(() => shop.payments(orderId), (p) => p.charges[0]?.status === 'captured');
      expect(payments.charges).toEqual([expect.objectContaining({ status: 'captured', amountCents: LARGEST_TOTAL })]);
      expect(payments.refunds).toEqual([]);
      // An order's payments are a field of the order, joined from the payment context.
      const graphqlPayments = await shop.graphql<{ order: { payments: unknown } }>('query($id: ID!) { order(id: $id) { payments { charges { status amountCents } } } }', { id: orderId });
      expect(graphqlPayments).toEqual({ data: { order: { payments: { charges: [{ status: 'captured', amountCents: LARGEST_TOTAL }] } } } });

      // Recommendation hears of the confirmed order: every other line was bought with the first.
      const alsoBought = await shop.until(
        () => shop.request<{ alsoBought: { sku: string; count: number }[] }>('GET', `/api/products/${first}/also-bought?limit=50`, undefined, {}, 'anonymous'),
        (answer) => answer.status === 200 && answer.body.alsoBought.length === 50,
      );
      expect(alsoBought.body.alsoBought).toEqual([...skus.slice(1)].sort().slice(0, 50).map((sku) => ({ sku, count: 1 })));
    },
    180_000,
  );

  it('refuses one unit past each bound with 400 over REST and BAD_REQUEST over GraphQL, naming the field and the bound, and writes nothing', async () => {
    const customer = await ShopClient.signIn(running.route);
    const sku = await shop.addProduct(5, 1250);
    const unchanged = (await product(sku)).body;
    const rest = async (path: string, body: unknown) => {
      const answer = await customer.request<{ message: string[] }>('POST', path, body, {}, 'admin');
      return { status: answer.status, message: answer.body.message };
    };
    const graphql = async (query: string, variables: Record<string, unknown>) => {
      const answer: GraphqlAnswer<unknown> = await customer.graphql(query, variables, 'admin');
      return { data: answer.data ?? null, codes: answer.errors?.map((error) => error.extensions?.code), errors: JSON.stringify(answer.errors) };
    };
    const refusedOverGraphql = (named: string) => ({ data: null, codes: ['BAD_REQUEST'], errors: expect.stringContaining(named) });

    const tooMany = { lines: [{ sku, quantity: MAX_LINE_QUANTITY + 1 }], paymentToken: 'tok_visa' };
    const tooLong = { lines: Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => ({ sku: `${sku}-${i}`, quantity: 1 })), paymentToken: 'tok_visa' };
    const placing = async (body: unknown) => {
      const answer = await customer.request<{ message: string[] }>('POST', '/api/orders', body);
      return { status: answer.status, message: answer.body.message };
    };
    expect(await placing(tooMany)).toEqual({ status: 400, message: ['lines.0.quantity must not be greater than 10000'] });
    expect(await placing(tooLong)).toEqual({ status: 400, message: ['lines must contain no more than 100 elements'] });
    const placingOverGraphql = async (input: unknown) => {
      const answer = await customer.graphql(PLACE_ORDER, { input });
      return { data: answer.data ?? null, codes: answer.errors?.map((error) => error.extensions?.code), errors: JSON.stringify(answer.errors) };
    };
    expect(await placingOverGraphql(tooMany)).toEqual(refusedOverGraphql('lines.0.quantity must not be greater than 10000'));
    expect(await placingOverGraphql(tooLong)).toEqual(refusedOverGraphql('lines must contain no more than 100 elements'));

    const newProduct = (change: Record<string, number>) => ({ sku: `${sku}-NEW`, name: 'Too much', priceCents: 100, currency: 'EUR', initialStock: 1, ...change });
    expect(await rest('/api/products', newProduct({ priceCents: MAX_PRICE_CENTS + 1 }))).toEqual({ status: 400, message: ['priceCents must not be greater than 100000000'] });
    expect(await rest('/api/products', newProduct({ initialStock: MAX_STOCK_ADDITION + 1 }))).toEqual({ status: 400, message: ['initialStock must not be greater than 1000000'] });
    expect(await graphql(ADD_PRODUCT, { input: newProduct({ priceCents: MAX_PRICE_CENTS + 1 }) })).toEqual(
      refusedOverGraphql('priceCents must not be greater than 100000000'),
    );
    expect(await graphql(ADD_PRODUCT, { input: newProduct({ initialStock: MAX_STOCK_ADDITION + 1 }) })).toEqual(
      refusedOverGraphql('initialStock must not be greater than 1000000'),
    );

    expect(await rest(`/api/products/${sku}/stock`, { quantity: MAX_STOCK_ADDITION + 1 })).toEqual({ status: 400, message: ['quantity must not be greater than 1000000'] });
    expect(await graphql(ADD_STOCK, { sku, quantity: MAX_STOCK_ADDITION + 1 })).toEqual(refusedOverGraphql('quantity must not be greater than 1000000'));

    // Nothing written: the customer has no order, no product was added, the stock is as it was.
    expect((await customer.request('GET', '/api/orders')).body).toEqual({ items: [], nextCursor: null });
    expect((await product(`${sku}-NEW`)).status).toBe(404);
    expect((await product(sku)).body).toEqual(unchanged);
  });
});

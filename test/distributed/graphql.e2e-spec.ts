import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CONTEXT_APPS, DistributedShop, type ContextApp } from '@agora/testing';
import { TOKEN_HOLDER_CACHE_MS } from '@agora/platform';
import { ADMIN, ShopClient, type GraphqlAnswer, type PaymentsView } from '../checkout/shop-client.js';

// Each app of the distributed mode serves GraphQL for its own context, under the limits
// of the shop's, and answers as its REST API does. What joins two contexts (an order's
// payments, a line's product) the apps do not answer: the gateway in front of them does
// (gateway.e2e-spec.ts), as the all-in-one shop does.

const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { orderId } }';

/** GraphQL answers an absent optional field with null, where REST leaves it out. */
const withoutNulls = (entries: readonly object[]) => entries.map((entry) => Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== null)));

describe('GraphQL on the distributed apps', () => {
  let apps: DistributedShop;
  let shop: ShopClient;

  beforeAll(async () => {
    apps = await DistributedShop.start({ env: { LOG_LEVEL: 'warn' } });
    shop = await ShopClient.signIn((path) => apps.urlFor(path));
  }, 90_000);

  afterAll(async () => {
    // Every app shuts down cleanly on SIGTERM.
    for (const { exit } of (await apps?.stop()) ?? []) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  /** The client's callers (by default the shop's customer and admin) on one app. */
  const on = (app: ContextApp, client = shop) => client.at(apps.instancesOf(app)[0]!.url);

  /**
   * Places an order over GraphQL on the order app, again while the app's copy of
   * inventory's catalog does not have the product yet, and waits until it is confirmed.
   */
  async function confirmedOrder(lines: { sku: string; quantity: number }[], client = shop): Promise<string> {
    const placed = await client.until(
      () => on('order', client).graphql<{ placeOrder: { orderId: string } }>(PLACE_ORDER, { input: { lines, paymentToken: 'tok_visa' } }),
      (answer) => !JSON.stringify(answer.errors ?? []).includes('is not a product in the catalog'),
    );
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data!.placeOrder.orderId;
    expect(await client.settled(orderId)).toMatchObject({ status: 'CONFIRMED' });
    return orderId;
  }

  it('signs in on the user app: the token it gives is the caller’s', async () => {
    const mutation = 'mutation($input: LoginInput!) { login(input: $input) { accessToken tokenType } }';
    const login = await on('user').graphql<{ login: { accessToken: string; tokenType: string } }>(mutation, { input: ADMIN }, 'anonymous');
    expect(login.errors).toBeUndefined();
    expect(login.data!.login.tokenType).toBe('Bearer');
    const me = await on('user').request<GraphqlAnswer<unknown>>('POST', '/graphql', { query: '{ me { email role } }' }, { authorization: `Bearer ${login.data!.login.accessToken}` }, 'anonymous');
    expect(me.body).toEqual({ data: { me: { email: ADMIN.email, role: 'admin' } } });

    const refused = await on('user').graphql(mutation, { input: { ...ADMIN, password: 'not-the-password' } }, 'anonymous');
    expect(refused.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('adds and lists products on the inventory app as REST does, adding for admins only', async () => {
    const sku = `GQL-${randomUUID().slice(0, 8).toUpperCase()}`;
    const input = { sku, name: `Lamp ${sku}`, priceCents: 4200, currency: 'EUR', initialStock: 2 };
    const mutation = 'mutation($input: AddProductInput!) { addProduct(input: $input) { sku available } }';
    expect((await on('inventory').graphql(mutation, { input })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await on('inventory').graphql(mutation, { input }, 'admin')).data).toEqual({ addProduct: { sku, available: 2 } });

    // The list is a read model: it shows the product a moment after.
    const rest = await shop.until(async () => (await shop.request<{ items: unknown[] }>('GET', `/api/products?search=${sku}`)).body, (page) => page.items.length === 1);
    const answer = await on('inventory').graphql<{ products: { items: unknown[] } }>(
      'query($search: String) { products(search: $search) { items { sku name priceCents currency available reserved sold } } }',
      { search: sku },
    );
    expect(answer.data!.products.items).toEqual(rest.items);
  });

  it('places an order on the order app and answers it as REST does, with its saga', async () => {
    const sku = await shop.addProduct(5, 1250);
    const orderId = await confirmedOrder([{ sku, quantity: 2 }]);
    const rest = (await shop.request<Record<string, unknown>>('GET', `/api/orders/${orderId}`)).body;
    const answer = await on('order').graphql<{ order: Record<string, unknown> & { saga: { steps: unknown[] } } }>(
      `query($id: ID!) { order(id: $id) {
         orderId customerId status reason totalCents currency createdAt updatedAt
         lines { sku quantity unitPriceCents }
         saga { status steps { step at } } } }`,
      { id: orderId },
    );
    expect(answer.errors).toBeUndefined();
    const { saga, ...order } = answer.data!.order;
    expect(order).toEqual(rest);
    expect(order).toMatchObject({ status: 'CONFIRMED', totalCents: 2500 });
    expect(saga.steps.length).toBeGreaterThanOrEqual(3);
  });

  it("answers an order's payments on the payment app as REST does, to admins only", async () => {
    const orderId = await confirmedOrder([{ sku: await shop.addProduct(5, 1250), quantity: 1 }]);
    const rest = await shop.until(() => shop.payments(orderId), (payments) => payments.charges[0]?.status === 'captured');
    const query = `query($id: ID!) { payments(orderId: $id) {
      charges { chargeId amountCents currency status reason at }
      refunds { refundId chargeId amountCents status at } } }`;

    const answer = await on('payment').graphql<{ payments: Omit<PaymentsView, 'orderId'> }>(query, { id: orderId }, 'admin');
    expect(answer.errors).toBeUndefined();
    const { charges, refunds } = answer.data!.payments;
    expect({ orderId, charges: withoutNulls(charges), refunds: withoutNulls(refunds) }).toEqual(rest);
    expect(rest.charges).toEqual([expect.objectContaining({ status: 'captured', amountCents: 1250 })]);

    expect((await on('payment').graphql(query, { id: orderId })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await on('payment').graphql(query, { id: orderId }, 'anonymous')).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect((await on('payment').graphql(query, { id: 'not-a-uuid' }, 'admin')).errors![0]!.extensions!.code).toBe('BAD_REQUEST');
  });

  it('answers what was bought together, and recommendations, on the recommendation app as REST does', async () => {
    const [a, b] = [await shop.addProduct(5), await shop.addProduct(5)];
    const other = await ShopClient.signIn((path) => apps.urlFor(path));
    await confirmedOrder([{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }]);
    await confirmedOrder([{ sku: a, quantity: 1 }], other);

    const alsoBought = await shop.until(
      () => on('recommendation').graphql<{ alsoBought: unknown[] }>('query($sku: String!) { alsoBought(sku: $sku, first: 5) { sku count } }', { sku: a }, 'anonymous'),
      (answer) => answer.data?.alsoBought.length === 1,
    );
    expect(alsoBought.data!.alsoBought).toEqual([{ sku: b, count: 1 }]);
    expect((await shop.request('GET', `/api/products/${a}/also-bought?limit=5`)).body).toEqual({ sku: a, alsoBought: alsoBought.data!.alsoBought });

    // The other customer bought a alone: b, bought with a, is for them.
    const recommended = await other.until(
      () => on('recommendation', other).graphql<{ recommendations: unknown[] }>('{ recommendations(first: 5) { sku score } }'),
      (answer) => answer.data?.recommendations.length === 1,
    );
    expect(recommended.data!.recommendations).toEqual([{ sku: b, score: 1 }]);
    expect((await other.request<{ recommendations: unknown[] }>('GET', '/api/recommendations/me?limit=5')).body.recommendations).toEqual(recommended.data!.recommendations);
  });

  // None of a context's own types nests 7 deep; introspection's `__type` does, on every app.
  it.each(CONTEXT_APPS)('refuses on the %s app a query nested deeper than the limit', async (app) => {
    const atLimit = await on(app).graphql('{ __type(name: "Query") { fields { type { ofType { ofType { name } } } } } }');
    expect(atLimit.errors).toBeUndefined();
    const tooDeep = await on(app).graphql('{ __type(name: "Query") { fields { type { ofType { ofType { ofType { name } } } } } } }');
    expect(tooDeep.data).toBeUndefined();
    expect(tooDeep.errors![0]).toMatchObject({ message: 'Query is nested deeper than the limit of 6', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it('refuses on the other apps a token revoked on the user app, soon after a sign-out or a password change', async () => {
    // How long a revocation may take to reach another app: the message on its way, and the cache of an instance that did not apply it.
    const bound = TOKEN_HOLDER_CACHE_MS + 5_000;
    const email = `revoked-${randomUUID().slice(0, 8)}@example.com`;
    expect((await shop.request('POST', '/api/users', { email, name: 'Revoked', password: 'first-password' }, {}, 'anonymous')).status).toBe(201);
    const call = (app: ContextApp, path: string, token: string, method = 'GET', body?: unknown) =>
      shop.at(apps.instancesOf(app)[0]!.url).request<{ accessToken?: string }>(method, path, body, { authorization: `Bearer ${token}` }, 'anonymous');
    const status = async (app: ContextApp, path: string, token: string, method = 'GET', body?: unknown) => (await call(app, path, token, method, body)).status;
    const refusedWithin = async (app: ContextApp, path: string, token: string) => {
      const started = Date.now();
      await shop.until(() => status(app, path, token), (answer) => answer === 401, bound);
      return Date.now() - started;
    };

    const first = await shop.login(email, 'first-password');
    expect(await status('order', '/api/orders', first)).toBe(200);
    expect(await status('recommendation', '/api/recommendations/me', first)).toBe(200);
    expect(await status('user', '/api/auth/logout', first, 'POST')).toBe(204);
    expect(await refusedWithin('order', '/api/orders', first)).toBeLessThanOrEqual(bound);
    expect(await refusedWithin('recommendation', '/api/recommendations/me', first)).toBeLessThanOrEqual(bound);

    // A token issued after the sign-out counts at once, also where the sign-out has not arrived yet.
    const second = await shop.login(email, 'first-password');
    expect(await status('order', '/api/orders', second)).toBe(200);
    const changed = await call('user', '/api/users/me/password', second, 'PUT', { currentPassword: 'first-password', newPassword: 'second-password' });
    expect(changed.status).toBe(200);
    expect(await refusedWithin('order', '/api/orders', second)).toBeLessThanOrEqual(bound);
    expect(await status('order', '/api/orders', changed.body.accessToken!)).toBe(200);
  }, 60_000);

  it('refuses on the order app a query too costly', async () => {
    // 100 orders of 10 fields each, lines counted once: 1101.
    const answer = await on('order').graphql('{ orders(first: 100) { items { orderId customerId status reason totalCents currency createdAt updatedAt lines { sku } } } }');
    expect(answer.data).toBeUndefined();
    expect(answer.errors![0]).toMatchObject({ message: 'Query is too complex: 1101, the limit is 1000', extensions: { code: 'QUERY_TOO_COMPLEX' } });
  });

  it.each<[ContextApp, string, string]>([
    ['order', '{ orders { items { payments { charges { status } } } } }', 'Cannot query field "payments" on type "Order".'],
    ['order', '{ orders { items { lines { product { name } } } } }', 'Cannot query field "product" on type "OrderLine".'],
    ['inventory', '{ products { items { alsoBought { sku } } } }', 'Cannot query field "alsoBought" on type "Product".'],
    ['recommendation', '{ recommendations { product { name } } }', 'Cannot query field "product" on type "Recommendation".'],
    ['recommendation', '{ alsoBought(sku: "A") { product { name } } }', 'Cannot query field "product" on type "AlsoBought".'],
    ['user', '{ recommendations { sku } }', 'Cannot query field "recommendations" on type "Query".'],
  ])('leaves out of the %s app a field only the shop answers: %s', async (app, query, message) => {
    const answer = await on(app).graphql(query);
    expect(answer.errors![0]).toMatchObject({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it.each<[ContextApp, string[]]>([
    ['user', ['AccessToken', 'ChangePasswordInput', 'LoginInput', 'Mutation', 'Query', 'RegisterInput', 'ResetPasswordInput', 'User']],
    ['inventory', ['AddProductInput', 'Mutation', 'Product', 'ProductPage', 'Query']],
    ['order', ['Mutation', 'Order', 'OrderLine', 'OrderLineInput', 'OrderPage', 'OrderStatus', 'OrderWait', 'PlaceOrderInput', 'PlacedOrder', 'Query', 'Saga', 'SagaStep']],
    ['payment', ['Charge', 'Payments', 'Query', 'Refund']],
    ['recommendation', ['AlsoBought', 'Query', 'Recommendation']],
  ])("shows on the %s app only its context's types", async (app, types) => {
    const answer = await on(app).graphql<{ __schema: { types: { name: string; kind: string }[] } }>('{ __schema { types { name kind } } }', {}, 'anonymous');
    const own = answer.data!.__schema.types.filter(({ name, kind }) => !name.startsWith('__') && kind !== 'SCALAR').map(({ name }) => name);
    expect(own.sort()).toEqual(types);
  });
});

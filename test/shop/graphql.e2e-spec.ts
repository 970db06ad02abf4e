import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, freePort, HostProcess } from '@agora/testing';
import { ShopClient, type Caller } from '../checkout/shop-client.js';

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** GraphQL at /graphql against the REST API of the same host: the same data, the same rules. */
describe('GraphQL', () => {
  let host: HostProcess;
  let shop: ShopClient;
  let stranger: ShopClient;
  let database: pg.Pool;

  beforeAll(async () => {
    const url = await createTestDatabase('shop_graphql');
    database = new pg.Pool({ connectionString: url, max: 2 });
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: url, LOG_LEVEL: 'warn' } });
    [shop, stranger] = await Promise.all([ShopClient.signIn(host.url), ShopClient.signIn(host.url)]);
  }, 60_000);

  afterAll(async () => {
    await database?.end();
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  const gql = async <T>(client: ShopClient, query: string, variables: Record<string, unknown> = {}, as: Caller = 'customer') =>
    (await client.request<GraphqlAnswer<T>>('POST', '/graphql', { query, variables }, {}, as)).body;

  /** placeOrder; the order context's catalog follows inventory a moment behind, so a product added just now may still be unknown there. */
  const place = (sku: string, quantity: number) =>
    shop.until(
      () =>
        gql<{ placeOrder: { orderId: string } }>(shop, 'mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { orderId } }', {
          input: { lines: [{ sku, quantity }], paymentToken: 'tok_visa' },
        }),
      (answer) => !JSON.stringify(answer.errors ?? []).includes('is not a product in the catalog'),
    );

  async function confirmedOrder(): Promise<{ sku: string; orderId: string }> {
    const sku = await shop.addProduct(5, 1250);
    const placed = await place(sku, 2);
    expect(placed.errors).toBeUndefined();
    const orderId = placed.data!.placeOrder.orderId;
    expect(await shop.settled(orderId)).toMatchObject({ status: 'CONFIRMED' });
    // The sale reaches the product a moment after the order's confirmation.
    await shop.until(() => shop.product(sku), (product) => product.reserved === 0);
    return { sku, orderId };
  }

  it('answers an order as REST does, with its lines, products, payments and saga', async () => {
    const { sku, orderId } = await confirmedOrder();
    const rest = await shop.request<Record<string, unknown>>('GET', `/api/orders/${orderId}`);
    const answer = await gql<{ order: Record<string, unknown> & { lines: { product: { name: string } }[]; payments: { charges: { status: string }[] }; saga: { steps: unknown[] } } }>(
      shop,
      `query Order($id: ID!) { order(id: $id) {
         orderId customerId status reason totalCents currency createdAt updatedAt
         lines { sku quantity unitPriceCents product { name } }
         payments { charges { status amountCents } refunds { status } }
         saga { status currentStep steps { step at } } } }`,
      { id: orderId },
    );
    expect(answer.errors).toBeUndefined();
    const { lines, payments, saga, ...order } = answer.data!.order;
    const { lines: restLines, ...restOrder } = rest.body as { lines: unknown[] };
    expect(order).toEqual(restOrder);
    expect(lines.map(({ product, ...line }) => line)).toEqual(restLines);
    expect(lines[0]!.product.name).toBe(`Product ${sku}`);
    expect(payments.charges).toEqual([{ status: 'captured', amountCents: 2500 }]);
    expect(saga.steps.length).toBeGreaterThanOrEqual(3);
  });

  it('lists products and orders as REST does', async () => {
    const { sku, orderId } = await confirmedOrder();
    const rest = (await shop.request<{ items: unknown[] }>('GET', `/api/products?search=${sku}`)).body;
    const answer = await gql<{ products: { items: unknown[] }; orders: { items: { orderId: string }[] } }>(
      shop,
      'query($search: String) { products(search: $search) { items { sku name priceCents currency available reserved sold } nextCursor } orders(first: 100) { items { orderId } } }',
      { search: sku },
    );
    expect(answer.data!.products.items).toEqual(rest.items);
    expect(answer.data!.orders.items.map((o) => o.orderId)).toContain(orderId);
    const restOrders = (await shop.request<{ items: { orderId: string }[] }>('GET', '/api/orders?first=100')).body.items.map((o) => o.orderId);
    expect(answer.data!.orders.items.map((o) => o.orderId)).toEqual(restOrders);
  });

  it("refuses another customer's order: 403 over REST, FORBIDDEN over GraphQL", async () => {
    const { orderId } = await confirmedOrder();
    expect((await stranger.request('GET', `/api/orders/${orderId}`)).status).toBe(403);
    const answer = await gql(stranger, 'query($id: ID!) { order(id: $id) { orderId } }', { id: orderId });
    expect(answer.data).toBeNull();
    expect(answer.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const cancel = await gql(stranger, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: orderId });
    expect(cancel.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const malformed = await gql(shop, '{ order(id: "not-a-uuid") { orderId } }');
    expect(malformed.errors![0]).toMatchObject({ message: 'Validation failed (uuid is expected)', extensions: { code: 'BAD_REQUEST' } });
  });

  it('waits for an order’s outcome as REST does, after checking who asks, and validates the wait', async () => {
    const sku = await shop.addProduct(5, 1250);
    const id = (await place(sku, 1)).data!.placeOrder.orderId;
    const waitFor = (timeoutMs: number) => `query($id: ID!) { order(id: $id, wait: TERMINAL, timeoutMs: ${timeoutMs}) { orderId status } }`;
    expect((await gql(stranger, waitFor(25_000), { id })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await gql(shop, waitFor(25_000), { id })).toEqual({ data: { order: { orderId: id, status: 'CONFIRMED' } } });
    expect((await shop.request<{ status: string }>('GET', `/api/orders/${id}?wait=terminal&timeoutMs=0`)).body).toMatchObject({ status: 'CONFIRMED' });

    const tooLong = await gql(shop, waitFor(30_001), { id });
    expect(tooLong.errors![0]).toMatchObject({ message: 'timeoutMs must be from 0 to 30000', extensions: { code: 'BAD_REQUEST' } });
    const alone = await gql(shop, 'query($id: ID!) { order(id: $id, timeoutMs: 5) { status } }', { id });
    expect(alone.errors![0]).toMatchObject({ message: 'wait must be TERMINAL when timeoutMs is given', extensions: { code: 'BAD_REQUEST' } });
  });

  it('lets only an admin add products, and validates input naming the field', async () => {
    const input = { sku: 'GQL-LAMP', name: 'Lamp', priceCents: 4200, currency: 'EUR', initialStock: 2 };
    const mutation = 'mutation($input: AddProductInput!) { addProduct(input: $input) { sku available } }';
    expect((await gql(shop, mutation, { input })).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await gql(shop, mutation, { input }, 'anonymous')).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const bad = await gql(shop, mutation, { input: { ...input, priceCents: -1 } }, 'admin');
    expect(JSON.stringify(bad.errors)).toMatch(/priceCents must not be less than 0/);
    expect((await gql<{ addProduct: unknown }>(shop, mutation, { input }, 'admin')).data).toEqual({ addProduct: { sku: 'GQL-LAMP', available: 2 } });
    expect(await shop.product('GQL-LAMP')).toMatchObject({ available: 2 });
  });

  it('refuses a query nested deeper than the limit, and one too costly, with a clear error', async () => {
    // products → items → alsoBought → product → alsoBought → product → sku: 7 levels.
    const atLimit = await gql(shop, '{ products(first: 2) { items { alsoBought(first: 2) { product { alsoBought(first: 2) { sku } } } } } }');
    expect(atLimit.errors).toBeUndefined();
    const tooDeep = await gql(shop, '{ products(first: 2) { items { alsoBought(first: 2) { product { alsoBought(first: 2) { product { sku } } } } } } }');
    expect(tooDeep.data).toBeUndefined();
    expect(tooDeep.errors![0]).toMatchObject({ message: 'Query is nested deeper than the limit of 6', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

    const tooCostly = await gql(shop, '{ products(first: 100) { items { alsoBought(first: 100) { sku count } } } }');
    expect(tooCostly.data).toBeUndefined();
    expect(tooCostly.errors![0]).toMatchObject({ message: expect.stringMatching(/^Query is too complex: \d+, the limit is 1000$/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
  });

  it('refuses 31 aliased register mutations in one request with 400 naming the limit, and registers nobody', async () => {
    const emails = Array.from({ length: 31 }, (_, i) => `alias-${i}-${Date.now()}@example.com`);
    const registers = emails.map((email, i) => `r${i}: register(input: { email: "${email}", name: "Alias", password: "alias-password" }) { userId }`).join(' ');
    const answer = await shop.request<GraphqlAnswer<unknown>>('POST', '/graphql', { query: `mutation { ${registers} }` }, {}, 'anonymous');
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors!.map((error) => error.message)).toContain('Request runs 31 mutations, the limit is 10');
    // Each address is still free.
    for (const email of [emails[0]!, emails[30]!]) {
      expect((await shop.request('POST', '/api/users', { email, name: 'Alias', password: 'alias-password' }, {}, 'anonymous')).status).toBe(201);
    }
  });

  it('refuses a 60 KB idempotency key, and one over the bound of REST with the message of REST', async () => {
    const sku = await shop.addProduct(5, 1250);
    const input = { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' };
    // A 60 KB header never reaches REST's check: Node refuses the request's headers (431).
    const rest = await shop.request<{ message: string[] }>('POST', '/api/orders', input, { 'idempotency-key': 'k'.repeat(256) });
    expect(rest).toEqual({ status: 400, body: expect.objectContaining({ message: ['Idempotency-Key must be 1 to 255 printable ASCII characters without spaces'] }) });
    const place = (key: string) =>
      shop.request<GraphqlAnswer<unknown>>('POST', '/graphql', {
        query: 'mutation($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { orderId } }',
        variables: { input, key },
      });
    // Text that long is refused at the edge, before the key's own rule, as any argument would be.
    const huge = await place('k'.repeat(60_000));
    expect({ status: huge.status, error: huge.body.errors![0] }).toMatchObject({ status: 400, error: { message: expect.stringMatching(/^idempotencyKey /), extensions: { code: 'BAD_REQUEST' } } });
    for (const key of ['k'.repeat(256), 'with space']) {
      const graphql = await place(key);
      expect(graphql.status).toBe(400);
      expect(graphql.body.errors![0]).toMatchObject({ message: rest.body.message[0], extensions: { code: 'BAD_REQUEST' } });
    }
  });

  describe('every mutation, over REST and over GraphQL, writes the same events under the request\'s correlation id', () => {
    /** The events a request appended itself: the request's correlation id is their cause too. */
    const eventsOf = async (correlationId: string) =>
      (
        await database.query<{ type: string; category: string; metadata: Record<string, string> }>(
          `SELECT event_type AS type, category, metadata FROM event_store.events WHERE metadata->>'causationId' = $1 ORDER BY global_position`,
          [correlationId],
        )
      ).rows;

    interface Side {
      /** Answers `true` when the request succeeded. */
      readonly rest: (client: ShopClient, headers: Record<string, string>) => Promise<boolean>;
      readonly graphql: (client: ShopClient, headers: Record<string, string>) => Promise<boolean>;
    }
    const gqlOk = async (client: ShopClient, headers: Record<string, string>, query: string, variables: Record<string, unknown>, as: Caller = 'customer') => {
      const answer = await client.request<GraphqlAnswer<unknown>>('POST', '/graphql', { query, variables }, headers, as);
      return answer.status === 200 && answer.body.errors === undefined;
    };
    const restOk = async (client: ShopClient, headers: Record<string, string>, method: string, path: string, body: unknown, as: Caller = 'customer') => {
      const { status } = await client.request(method, path, body, headers, as);
      return status >= 200 && status < 300;
    };
    const newEmail = () => `table-${randomUUID().slice(0, 8)}@example.com`;
    const newSku = () => `TBL-${randomUUID().slice(0, 8).toUpperCase()}`;
    const userIdOf = async (client: ShopClient) => (await client.request<{ userId: string }>('GET', '/api/users/me')).body.userId;

    const mutations: [string, Side][] = [
      [
        'register',
        {
          rest: (client, headers) => restOk(client, headers, 'POST', '/api/users', { email: newEmail(), name: 'Table', password: 'table-password' }, 'anonymous'),
          graphql: (client, headers) =>
            gqlOk(client, headers, 'mutation($input: RegisterInput!) { register(input: $input) { userId } }', { input: { email: newEmail(), name: 'Table', password: 'table-password' } }, 'anonymous'),
        },
      ],
      [
        'addProduct',
        {
          rest: (client, headers) => restOk(client, headers, 'POST', '/api/products', { sku: newSku(), name: 'Table', priceCents: 100, currency: 'EUR', initialStock: 2 }, 'admin'),
          graphql: (client, headers) =>
            gqlOk(client, headers, 'mutation($input: AddProductInput!) { addProduct(input: $input) { sku } }', { input: { sku: newSku(), name: 'Table', priceCents: 100, currency: 'EUR', initialStock: 2 } }, 'admin'),
        },
      ],
      [
        'addStock',
        {
          rest: async (client, headers) => restOk(client, headers, 'POST', `/api/products/${await client.addProduct(1)}/stock`, { quantity: 3 }, 'admin'),
          graphql: async (client, headers) =>
            gqlOk(client, headers, 'mutation($sku: String!) { addStock(sku: $sku, quantity: 3) { sku } }', { sku: await client.addProduct(1) }, 'admin'),
        },
      ],
      [
        'placeOrder',
        {
          rest: async (client, headers) => {
            const sku = await client.addProduct(5);
            await client.placeOrder([{ sku, quantity: 1 }]); // the order context knows the product now
            return restOk(client, headers, 'POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' });
          },
          graphql: async (client, headers) => {
            const sku = await client.addProduct(5);
            await client.placeOrder([{ sku, quantity: 1 }]);
            return gqlOk(client, headers, 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { orderId } }', { input: { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' } });
          },
        },
      ],
      [
        'cancelOrder',
        {
          // tok_timeout: the charge never answers, so the order is still pending when it is cancelled.
          rest: async (client, headers) => restOk(client, headers, 'POST', `/api/orders/${await client.placeOrder([{ sku: await client.addProduct(5), quantity: 1 }], 'tok_timeout')}/cancel`, undefined),
          graphql: async (client, headers) =>
            gqlOk(client, headers, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: await client.placeOrder([{ sku: await client.addProduct(5), quantity: 1 }], 'tok_timeout') }),
        },
      ],
      [
        'changePassword',
        {
          rest: (client, headers) => restOk(client, headers, 'PUT', '/api/users/me/password', { currentPassword: 'customer-password', newPassword: 'changed-password' }),
          graphql: (client, headers) =>
            gqlOk(client, headers, 'mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }', {
              input: { currentPassword: 'customer-password', newPassword: 'changed-password' },
            }),
        },
      ],
      [
        'resetPassword',
        {
          rest: async (client, headers) => restOk(client, headers, 'PUT', `/api/users/${await userIdOf(client)}/password`, { newPassword: 'reset-password' }, 'admin'),
          graphql: async (client, headers) =>
            gqlOk(client, headers, 'mutation($id: ID!, $input: ResetPasswordInput!) { resetPassword(id: $id, input: $input) }', { id: await userIdOf(client), input: { newPassword: 'reset-password' } }, 'admin'),
        },
      ],
      [
        'logout',
        {
          rest: (client, headers) => restOk(client, headers, 'POST', '/api/auth/logout', undefined),
          graphql: (client, headers) => gqlOk(client, headers, 'mutation { logout }', {}),
        },
      ],
    ];

    it.each(mutations)('%s', async (name, side) => {
      const written: Record<'rest' | 'graphql', Awaited<ReturnType<typeof eventsOf>>> = { rest: [], graphql: [] };
      for (const over of ['rest', 'graphql'] as const) {
        // A customer of its own for each side: some mutations end its password or its tokens.
        const client = await ShopClient.signIn(host.url);
        const correlationId = `${over}-${name}-${randomUUID()}`;
        expect(await side[over](client, { 'x-correlation-id': correlationId })).toBe(true);
        written[over] = await eventsOf(correlationId);
        for (const { metadata } of written[over]) expect(metadata['correlationId']).toBe(correlationId);
      }
      const shape = (events: typeof written.rest) => events.map(({ type, category, metadata }) => ({ type, category, signedIn: metadata['userId'] !== undefined }));
      expect(written.rest.length).toBeGreaterThan(0);
      expect(shape(written.graphql)).toEqual(shape(written.rest));
    });
  });
});

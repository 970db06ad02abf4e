import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Message } from '@agora/contracts';
import type { IntegrationMessage } from '@agora/messaging';
import type { GlobalPosition } from '@agora/event-sourcing';
import { PROJECTIONS, type Projections } from '@agora/projections';
import { orderReadModel } from '../read-model/order-read-model.js';
import { httpTestApp, testAuth, until, type HttpTestApp } from '@agora/testing';
import { orderContext } from '../order.context.js';
import { CatalogHandler } from '../catalog/catalog.handler.js';
import { CheckoutProcess } from '../checkout/checkout-process.js';
import { OrderCommandsHandler } from '../integration/order-commands.handler.js';
import { OrderModule } from '../order.module.js';

const metadata = () => ({ messageId: randomUUID(), correlationId: 'test', causationId: 'test', occurredAt: new Date().toISOString(), schemaVersion: 1 });

describe('the orders API (HTTP, PostgreSQL)', () => {
  let tested: HttpTestApp;

  beforeAll(async () => {
    tested = await httpTestApp({
      database: 'order_http',
      title: 'Order',
      readModels: [orderReadModel],
      schemas: orderContext.schemas,
      imports: [OrderModule.forRoot({ deadlinePollMs: 20 })],
      poolSize: 20,
      pollIntervalMs: 50,
    });
    const catalog = tested.app.get(CatalogHandler);
    for (const [sku, priceCents, currency] of [
      ['SHIRT', 1999, 'EUR'],
      ['MUG', 850, 'EUR'],
      ['HAT', 1500, 'USD'],
    ] as const) {
      await catalog.handle({ type: 'inventory.product-listed.v1', key: sku, data: { sku, name: sku.toLowerCase(), priceCents, currency }, metadata: metadata() });
    }
  });

  afterAll(() => tested.close());

  // The saga writes its own streams in the background: "nothing written" means no order event.
  let orderHead: GlobalPosition | undefined;
  const lastOrderEvent = async () => {
    let last: GlobalPosition | undefined;
    for (let page = await tested.store.readAll({ categories: ['order'] }); page.length > 0; page = await tested.store.readAll({ categories: ['order'], after: last })) {
      last = page.at(-1)!.position;
    }
    return last;
  };
  // Each test plays a customer of its own.
  let customerId: string;
  let customer: { authorization: string };
  beforeEach(async () => {
    orderHead = await lastOrderEvent();
    customerId = `c-${randomUUID().slice(0, 8)}`;
    customer = await testAuth.bearer({ userId: customerId, role: 'customer' });
  });
  const nothingWritten = async () => expect(await lastOrderEvent()).toEqual(orderHead);

  const server = () => request(tested.app.getHttpServer());
  const http = () => ({ get: (path: string) => server().get(path).set(customer) });
  const post = (path: string, body?: unknown) => server().post(path).set(customer).set('content-type', 'application/json').send(JSON.stringify(body ?? {}));
  const valid = () => ({ lines: [{ sku: 'SHIRT', quantity: 2 }, { sku: 'MUG', quantity: 1 }], paymentToken: 'tok_visa' });
  const messages = (body: unknown) => (body as { message: string[] }).message;
  /** Requests waiting for an order's outcome. */
  const waiting = () => tested.app.get<Projections>(PROJECTIONS).watching('order.orders');
  const sagaSays = (type: Message['type'], data: Record<string, unknown>) =>
    tested.app.get(OrderCommandsHandler).handle({ type, key: String(data.orderId), data, metadata: metadata() } as IntegrationMessage<Message>);

  describe('POST /api/orders', () => {
    it('places an order at catalog prices: 202 with its id, recorded under the request’s correlation id', async () => {
      const body = valid();
      const response = await post('/api/orders', body).set('x-correlation-id', 'place-1');
      expect(response.status).toBe(202);
      const { orderId } = response.body as { orderId: string };
      expect(orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const [placed] = await tested.store.readStream(`order-${orderId}`);
      expect(placed).toMatchObject({ type: 'order.placed.v1', data: { totalCents: 4848, currency: 'EUR' }, metadata: { correlationId: 'place-1' } });

      const view = await http().get(`/api/orders/${orderId}`);
      expect(view.status).toBe(200);
      expect(view.body).toEqual({
        orderId,
        customerId,
        status: 'PENDING',
        reason: null,
        lines: [
          { sku: 'SHIRT', quantity: 2, unitPriceCents: 1999 },
          { sku: 'MUG', quantity: 1, unitPriceCents: 850 },
        ],
        totalCents: 4848,
        currency: 'EUR',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(JSON.stringify(view.body)).not.toMatch(/tok_visa/);
    });

    it.each([
      ['no lines', { lines: [] }, ['lines must contain at least 1 elements']],
      ['a quantity of 0', { lines: [{ sku: 'SHIRT', quantity: 0 }] }, ['lines.0.quantity must not be less than 1']],
      ['a fractional quantity', { lines: [{ sku: 'SHIRT', quantity: 1.5 }] }, ['lines.0.quantity must be an integer number']],
      ['a quantity one above its bound', { lines: [{ sku: 'SHIRT', quantity: 1 }, { sku: 'MUG', quantity: 10_001 }] }, ['lines.1.quantity must not be greater than 10000']],
      [
        'one line more than an order may hold',
        { lines: Array.from({ length: 101 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })) },
        ['lines must contain no more than 100 elements'],
      ],
      ['an unknown field', { coupon: 'FREE' }, ['property coupon should not exist']],
      ['an unknown field in a line', { lines: [{ sku: 'SHIRT', quantity: 1, unitPriceCents: 1 }] }, ['lines.0.property unitPriceCents should not exist']],
      ['a missing payment token', { paymentToken: undefined }, ['paymentToken must be a string']],
      ['an sku not in the catalog', { lines: [{ sku: 'SHIRT', quantity: 1 }, { sku: 'NOPE', quantity: 1 }] }, ['lines.1.sku NOPE is not a product in the catalog']],
      [
        'lines in different currencies',
        { lines: [{ sku: 'SHIRT', quantity: 1 }, { sku: 'HAT', quantity: 1 }] },
        ['lines.1.sku HAT is priced in USD, but lines.0.sku SHIRT in EUR: an order has one currency'],
      ],
    ])('answers 400 naming the field for %s, and writes nothing', async (_, change, expected) => {
      const response = await post('/api/orders', { ...valid(), ...change });
      expect(response.status).toBe(400);
      for (const message of expected) expect(messages(response.body)).toContainEqual(expect.stringContaining(message));
      await nothingWritten();
    });

    it('places one order for one Idempotency-Key and request: the same answer, nothing new written', async () => {
      const body = valid();
      const first = await post('/api/orders', body).set('idempotency-key', 'checkout-42');
      expect(first.status).toBe(202);
      const afterFirst = await lastOrderEvent();
      const again = await post('/api/orders', body).set('idempotency-key', 'checkout-42');
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      expect(await lastOrderEvent()).toEqual(afterFirst);
      expect(await tested.store.readStream(`order-${(first.body as { orderId: string }).orderId}`)).toHaveLength(1);

      const otherKey = await post('/api/orders', body).set('idempotency-key', 'checkout-43');
      expect(otherKey.status).toBe(202);
      expect(otherKey.body).not.toEqual(first.body);
    });

    it('answers 422 for an Idempotency-Key reused with another request, and writes nothing', async () => {
      const body = valid();
      expect((await post('/api/orders', body).set('idempotency-key', 'key-7')).status).toBe(202);
      orderHead = await lastOrderEvent();
      const response = await post('/api/orders', { ...body, lines: [{ sku: 'MUG', quantity: 5 }] }).set('idempotency-key', 'key-7');
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ statusCode: 422, message: expect.stringContaining('Idempotency-Key was already used for another request') });
      await nothingWritten();
    });

    it('answers 400 for an unusable Idempotency-Key', async () => {
      const response = await post('/api/orders', valid()).set('idempotency-key', 'x'.repeat(256));
      expect(response.status).toBe(400);
      expect(messages(response.body)).toEqual([expect.stringContaining('Idempotency-Key')]);
      await nothingWritten();
    });
  });

  describe('who may do what', () => {
    it('answers 401 without a token, and writes nothing', async () => {
      const response = await server().post('/api/orders').set('content-type', 'application/json').send(JSON.stringify(valid()));
      expect(response.status).toBe(401);
      expect((await server().get(`/api/orders/${randomUUID()}`)).status).toBe(401);
      await nothingWritten();
    });

    it("answers 403 to another customer's read, checkout view and cancellation, and lets an admin read", async () => {
      const { orderId } = (await post('/api/orders', valid())).body as { orderId: string };
      const other = await testAuth.bearer({ userId: 'someone-else', role: 'customer' });
      expect((await server().get(`/api/orders/${orderId}`).set(other)).status).toBe(403);
      expect((await server().get(`/api/orders/${orderId}/saga`).set(other)).status).toBe(403);
      orderHead = await lastOrderEvent();
      expect((await server().post(`/api/orders/${orderId}/cancel`).set(other)).status).toBe(403);
      await nothingWritten();
      const admin = await testAuth.bearer({ userId: 'admin-1', role: 'admin' });
      expect((await server().get(`/api/orders/${orderId}`).set(admin)).body).toMatchObject({ orderId, customerId });
    });

    it('takes the customer from the token: a customerId in the body is an unknown field', async () => {
      const response = await post('/api/orders', { ...valid(), customerId: 'someone-else' });
      expect(response.status).toBe(400);
      expect(messages(response.body)).toContain('property customerId should not exist');
      await nothingWritten();
    });
  });

  describe('GET /api/orders', () => {
    it("lists the caller's own orders newest first, a page at a time, and by status", async () => {
      const placed: string[] = [];
      for (let i = 0; i < 3; i++) placed.push(((await post('/api/orders', valid())).body as { orderId: string }).orderId);
      const mine = customer;
      customer = await testAuth.bearer({ userId: 'another-customer', role: 'customer' });
      await post('/api/orders', valid());
      customer = mine;

      const first = await http().get('/api/orders?first=2');
      expect(first.status).toBe(200);
      expect(first.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([placed[2], placed[1]]);
      const second = await http().get(`/api/orders?first=2&after=${first.body.nextCursor}`);
      expect(second.body).toEqual({ items: [expect.objectContaining({ orderId: placed[0], customerId })], nextCursor: null });

      await sagaSays('order.reject-order.v1', { orderId: placed[1], reason: 'out-of-stock' });
      await until(async () => (await http().get('/api/orders?status=REJECTED')).body.items.length === 1);
      expect((await http().get('/api/orders?status=REJECTED')).body.items[0]).toMatchObject({ orderId: placed[1] });

      const admin = await testAuth.bearer({ userId: 'admin-1', role: 'admin' });
      const everyone = (await server().get('/api/orders?first=100').set(admin)).body.items as { customerId: string }[];
      expect(everyone.some((o) => o.customerId === 'another-customer') && everyone.some((o) => o.customerId === customerId)).toBe(true);
    });

    it('answers 400 naming the parameter for a bad page size, status or cursor', async () => {
      expect(messages((await http().get('/api/orders?first=0')).body)).toContainEqual(expect.stringContaining('first must not be less than 1'));
      expect(messages((await http().get('/api/orders?status=LOST')).body)).toContainEqual(expect.stringContaining('status must be one of'));
      expect(messages((await http().get('/api/orders?after=bm90LWEtY3Vyc29y')).body)).toEqual(['after must be a cursor from a previous page']);
    });
  });

  describe('GET /api/orders/{id}', () => {
    it('answers 404 for an unknown order and 400 for an id that is not a UUID', async () => {
      expect((await http().get(`/api/orders/${randomUUID()}`)).status).toBe(404);
      expect((await http().get('/api/orders/not-a-uuid')).status).toBe(400);
    });

    it('shows the outcome and its reason', async () => {
      const { orderId } = (await post('/api/orders', valid())).body as { orderId: string };
      await sagaSays('order.reject-order.v1', { orderId, reason: 'out-of-stock' });
      // Reads come from the read model, which follows the order stream a moment later.
      await until(async () => (await http().get(`/api/orders/${orderId}`)).body.status !== 'PENDING');
      expect((await http().get(`/api/orders/${orderId}`)).body).toMatchObject({ status: 'REJECTED', reason: 'out-of-stock' });
    });
  });

  describe('GET /api/orders/{id}?wait=terminal', () => {
    const place = async (paymentToken = 'tok_visa') => ((await post('/api/orders', { ...valid(), paymentToken })).body as { orderId: string }).orderId;
    /** Sends the request now; supertest would wait for `then` otherwise. */
    const send = (path: string) => {
      const test = http().get(path);
      return { test, answer: test.then((response) => response) };
    };

    it('answers with CONFIRMED as soon as the order completes during the wait', async () => {
      const orderId = await place();
      const { answer } = send(`/api/orders/${orderId}?wait=terminal&timeoutMs=25000`);
      await until(() => waiting() === 1);
      await sagaSays('order.confirm-order.v1', { orderId });
      const response = await answer;
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ orderId, customerId, status: 'CONFIRMED', reason: null, totalCents: 4848 });
      // Taken from the projection's batch, not read: the same as a read of the row.
      expect(response.body).toEqual((await http().get(`/api/orders/${orderId}`)).body);
      expect(waiting()).toBe(0);
    });

    it('goes on waiting through a change that is not an outcome', async () => {
      const orderId = await place();
      const placed = (await http().get(`/api/orders/${orderId}`)).body as { updatedAt: string };
      const { answer } = send(`/api/orders/${orderId}?wait=terminal&timeoutMs=25000`);
      await until(() => waiting() === 1);
      // The checkout stands still while the cancellation is asked for, so the order stays pending.
      const checkout = tested.app.get(CheckoutProcess, { strict: false });
      await checkout.stop();
      try {
        expect((await post(`/api/orders/${orderId}/cancel`)).status).toBe(202);
        await until(async () => (await http().get(`/api/orders/${orderId}`)).body.updatedAt !== placed.updatedAt);
        expect(waiting()).toBe(1);
      } finally {
        checkout.start();
      }
      expect((await answer).body).toMatchObject({ orderId, status: 'CANCELLED', reason: 'cancelled-by-customer' });
    });

    it('answers with the order still PENDING once timeoutMs has passed', async () => {
      // Nothing answers this host's reservations, and tok_timeout's payment never would.
      const orderId = await place('tok_timeout');
      const response = await http().get(`/api/orders/${orderId}?wait=terminal&timeoutMs=300`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ orderId, status: 'PENDING' });
      expect((await http().get(`/api/orders/${orderId}?wait=terminal&timeoutMs=0`)).body).toMatchObject({ orderId, status: 'PENDING' });
      expect(waiting()).toBe(0);
    });

    it('answers at once when the order has its outcome already', async () => {
      const orderId = await place();
      await sagaSays('order.reject-order.v1', { orderId, reason: 'payment-declined' });
      await until(async () => (await http().get(`/api/orders/${orderId}`)).body.status === 'REJECTED');
      const response = await http().get(`/api/orders/${orderId}?wait=terminal&timeoutMs=30000`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ orderId, status: 'REJECTED', reason: 'payment-declined' });
    });

    it("answers 403 for another customer's order and 404 for an unknown one before waiting", async () => {
      const orderId = await place();
      const other = await testAuth.bearer({ userId: 'someone-else', role: 'customer' });
      expect((await server().get(`/api/orders/${orderId}?wait=terminal&timeoutMs=30000`).set(other)).status).toBe(403);
      expect((await http().get(`/api/orders/${randomUUID()}?wait=terminal&timeoutMs=30000`)).status).toBe(404);
      expect(waiting()).toBe(0);
    });

    it.each([
      ['an unknown wait', 'wait=confirmed', 'wait must be one of the following values: terminal'],
      ['a negative timeout', 'wait=terminal&timeoutMs=-1', 'timeoutMs must not be less than 0'],
      ['a timeout over 30 s', 'wait=terminal&timeoutMs=30001', 'timeoutMs must not be greater than 30000'],
      ['a fractional timeout', 'wait=terminal&timeoutMs=1.5', 'timeoutMs must be an integer number'],
      ['a timeout that is no number', 'wait=terminal&timeoutMs=soon', 'timeoutMs must be an integer number'],
      ['an empty timeout', 'wait=terminal&timeoutMs=', 'timeoutMs must be an integer number'],
      ['a timeout without wait', 'timeoutMs=1000', 'wait must be terminal when timeoutMs is given'],
      ['an unknown parameter', 'wait=terminal&for=CONFIRMED', 'property for should not exist'],
    ])('answers 400 naming the parameter for %s', async (_, query, message) => {
      const orderId = await place();
      const response = await http().get(`/api/orders/${orderId}?${query}`);
      expect(response.status).toBe(400);
      expect(messages(response.body)).toContain(message);
    });

    it('stops waiting when the client goes away', async () => {
      const orderId = await place();
      const { test, answer } = send(`/api/orders/${orderId}?wait=terminal&timeoutMs=30000`);
      const aborted = answer.catch((error: Error) => error.message);
      await until(() => waiting() === 1);
      test.abort();
      expect(await aborted).toBe('Aborted');
      await until(() => waiting() === 0);
    });
  });

  describe('POST /api/orders/{id}/cancel', () => {
    it('accepts a cancellation while the order is pending, the checkout carries it out, and asking again changes nothing', async () => {
      const { orderId } = (await post('/api/orders', valid())).body as { orderId: string };
      expect((await post(`/api/orders/${orderId}/cancel`)).status).toBe(202);
      // The saga cancels the order in its own append, with its step.
      await until(async () => (await http().get(`/api/orders/${orderId}`)).body.status === 'CANCELLED');
      expect((await http().get(`/api/orders/${orderId}/saga`)).body).toMatchObject({ currentStep: 'cancelled', reason: 'cancelled-by-customer' });
      expect((await post(`/api/orders/${orderId}/cancel`)).status).toBe(202);
      expect((await tested.store.readStream(`order-${orderId}`)).map((e) => e.type)).toEqual(['order.placed.v1', 'order.cancellation-requested.v1', 'order.cancelled.v1']);
    });

    it('answers 409 once the order is no longer pending, and writes nothing', async () => {
      const { orderId } = (await post('/api/orders', valid())).body as { orderId: string };
      await sagaSays('order.confirm-order.v1', { orderId });
      // The log shows an event once the transactions before it have ended, as the read model does.
      await until(async () => (await http().get(`/api/orders/${orderId}`)).body.status === 'CONFIRMED');
      orderHead = await lastOrderEvent();
      const response = await post(`/api/orders/${orderId}/cancel`);
      expect(response.status).toBe(409);
      expect(response.body).toEqual({ statusCode: 409, error: 'Conflict', message: `Order ${orderId} is CONFIRMED and can no longer be cancelled.` });
      await nothingWritten();
    });

    it('answers 404 for an unknown order', async () => {
      expect((await post(`/api/orders/${randomUUID()}/cancel`)).status).toBe(404);
      await nothingWritten();
    });
  });

  describe('GET /api/orders/{id}/saga', () => {
    it('shows the checkout: steps with timestamps, current step, status and pending deadline', async () => {
      const { orderId } = (await post('/api/orders', valid())).body as { orderId: string };
      await until(async () => (await http().get(`/api/orders/${orderId}/saga`)).status === 200);
      const response = await http().get(`/api/orders/${orderId}/saga`);
      expect(response.body).toEqual({
        orderId,
        status: 'active',
        currentStep: 'reserving',
        reason: null,
        deadline: { name: 'reservation', dueAt: expect.any(String) },
        steps: [{ step: 'reserving', input: 'order.placed.v1', at: expect.any(String) }],
        compensations: ['inventory.release-reservation.v1', 'payment.refund-payment.v1'],
      });
      expect(JSON.stringify(response.body)).not.toMatch(/tok_visa/);
    });

    it('answers 404 for an order without a checkout', async () => {
      expect((await http().get(`/api/orders/${randomUUID()}/saga`)).status).toBe(404);
    });
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const document = (await server().get('/docs-json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/orders', '/api/orders/{id}', '/api/orders/{id}/cancel', '/api/orders/{id}/saga']),
    );
    const getOrder = (document.paths['/api/orders/{id}'] as { get: { parameters: { name: string; in: string; schema: Record<string, unknown> }[] } }).get;
    expect(getOrder.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'wait', in: 'query', schema: expect.objectContaining({ enum: ['terminal'] }) }),
        expect.objectContaining({ name: 'timeoutMs', in: 'query', schema: expect.objectContaining({ minimum: 0, maximum: 30000, default: 10000 }) }),
      ]),
    );
  });

  // Last: it closes the tested.app.
  it('answers a waiting request with the order as it stands when the host shuts down', async () => {
    const { orderId } = (await post('/api/orders', valid())).body as { orderId: string };
    const answer = http().get(`/api/orders/${orderId}?wait=terminal&timeoutMs=30000`).then((response) => response);
    await until(() => waiting() === 1);
    await tested.closeApp();
    expect((await answer).body).toMatchObject({ orderId, status: 'PENDING' });
  });
});

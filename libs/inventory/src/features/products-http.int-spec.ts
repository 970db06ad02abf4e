import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { GlobalPosition } from '@agora/event-sourcing';
import { inventoryReadModel } from '../read-model/inventory-read-model.js';
import { type HttpTestApp, httpTestApp, testAuth } from '@agora/testing';
import { InventoryModule } from '../inventory.module.js';

describe('the products API (HTTP, PostgreSQL)', () => {
  let tested: HttpTestApp;
  let headBefore: GlobalPosition | undefined;
  let admin: { authorization: string };

  beforeAll(async () => {
    tested = await httpTestApp({ database: 'inventory_http', title: 'Inventory', readModels: [inventoryReadModel], imports: [InventoryModule] });
    admin = await testAuth.bearer({ userId: 'admin-1', role: 'admin' });
    await post('/api/products', { sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR', initialStock: 5 }).expect(201);
  });

  afterAll(() => tested.close());

  beforeEach(async () => {
    headBefore = await tested.store.headPosition();
  });
  const nothingWritten = async () => expect(await tested.store.headPosition()).toEqual(headBefore);

  function post(path: string, body: unknown) {
    return request(tested.app.getHttpServer()).post(path).set(admin).set('content-type', 'application/json').send(JSON.stringify(body));
  }
  const messages = (body: unknown) => (body as { message: string[] }).message;

  describe('GET /api/products', () => {
    it('lists products by name a page at a time, and finds them by part of the name in any case, without a token', async () => {
      for (const [sku, name] of [['LAMP-1', 'Desk lamp'], ['LAMP-2', 'Floor LAMP'], ['RUG-1', 'Rug']]) {
        await post('/api/products', { sku, name, priceCents: 100, currency: 'EUR', initialStock: 1 }).expect(201);
      }
      const found = await request(tested.app.getHttpServer()).get('/api/products?search=lamp&first=1');
      expect(found.status).toBe(200);
      expect(found.body.items).toEqual([expect.objectContaining({ sku: 'LAMP-1', name: 'Desk lamp', available: 1 })]);
      const next = await request(tested.app.getHttpServer()).get(`/api/products?search=lamp&first=1&after=${found.body.nextCursor}`);
      expect(next.body).toEqual({ items: [expect.objectContaining({ sku: 'LAMP-2' })], nextCursor: null });
      const names = (await request(tested.app.getHttpServer()).get('/api/products?first=100')).body.items.map((p: { name: string }) => p.name.toLowerCase());
      expect(names).toEqual([...names].sort());
      expect((await request(tested.app.getHttpServer()).get('/api/products?search=100%25')).body.items).toEqual([]);
    });

    it('answers 400 naming the parameter', async () => {
      expect(messages((await request(tested.app.getHttpServer()).get('/api/products?first=101')).body)).toContainEqual(expect.stringContaining('first must not be greater than 100'));
      expect(messages((await request(tested.app.getHttpServer()).get('/api/products?search=')).body)).toContainEqual(expect.stringContaining('search must be longer than or equal to 1'));
    });
  });

  describe('POST /api/products', () => {
    it('answers 401 without a token and 403 to a customer, and writes nothing', async () => {
      const body = JSON.stringify({ sku: 'SNEAKY-1', name: 'Sneaky', priceCents: 1, currency: 'EUR', initialStock: 1 });
      const anonymous = await request(tested.app.getHttpServer()).post('/api/products').set('content-type', 'application/json').send(body);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.message).toMatch(/bearer token/);
      const customer = await request(tested.app.getHttpServer())
        .post('/api/products')
        .set(await testAuth.bearer({ userId: 'c-1', role: 'customer' }))
        .set('content-type', 'application/json')
        .send(body);
      expect(customer.status).toBe(403);
      await nothingWritten();
    });

    const valid = { sku: 'TSHIRT-RED-M', name: 'Red T-shirt, size M', priceCents: 1999, currency: 'EUR', initialStock: 0 };

    it('adds a product: 201 with its sku, recorded under the request’s correlation id', async () => {
      const response = await post('/api/products', valid).set('x-correlation-id', 'add-tshirt-1');
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ sku: 'TSHIRT-RED-M' });

      const [added] = await tested.store.readStream('product-TSHIRT-RED-M');
      expect(added).toMatchObject({
        type: 'inventory.product-added.v1',
        data: { ...valid },
        metadata: { correlationId: 'add-tshirt-1', causationId: 'add-tshirt-1' },
      });
      const view = await request(tested.app.getHttpServer()).get('/api/products/TSHIRT-RED-M');
      expect(view.body).toEqual({ sku: 'TSHIRT-RED-M', name: 'Red T-shirt, size M', priceCents: 1999, currency: 'EUR', available: 0, reserved: 0, sold: 0 });
    });

    it('answers 409 for a sku that exists, and writes nothing', async () => {
      const response = await post('/api/products', { ...valid, sku: 'MUG-BLUE' });
      expect(response.status).toBe(409);
      expect(response.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'A product with sku MUG-BLUE already exists.' });
      await nothingWritten();
    });

    it('answers 400 naming each bad field, and writes nothing', async () => {
      const response = await post('/api/products', { sku: 'mug blue', name: '', priceCents: 12.5, currency: 'eur', initialStock: -1 });
      expect(response.status).toBe(400);
      const fields = messages(response.body).map((message) => message.split(' ')[0]);
      expect(new Set(fields)).toEqual(new Set(['sku', 'name', 'priceCents', 'currency', 'initialStock']));
      expect(messages(response.body)).toEqual(
        expect.arrayContaining([
          'sku must be 1 to 64 upper-case letters, digits and dashes, starting with a letter or digit',
          'currency must be an ISO 4217 code of 3 upper-case letters',
          'priceCents must be an integer number',
          'initialStock must not be less than 0',
        ]),
      );
      await nothingWritten();
    });

    it('answers 400 for a negative price, a missing field and a field it does not know', async () => {
      const { initialStock: _, ...withoutStock } = valid;
      const response = await post('/api/products', { ...withoutStock, sku: 'NEW-1', priceCents: -1, colour: 'red' });
      expect(response.status).toBe(400);
      expect(messages(response.body)).toEqual(
        expect.arrayContaining(['priceCents must not be less than 0', 'property colour should not exist', expect.stringMatching(/^initialStock /)]),
      );
      expect(await tested.store.readStream('product-NEW-1')).toEqual([]);
      await nothingWritten();
    });

    it('accepts the highest price and initial stock, and shows them exactly', async () => {
      await post('/api/products', { ...valid, sku: 'CROWN-1', priceCents: 100_000_000, initialStock: 1_000_000 }).expect(201);
      const view = await request(tested.app.getHttpServer()).get('/api/products/CROWN-1');
      expect(view.body).toMatchObject({ priceCents: 100_000_000, available: 1_000_000 });
    });

    it.each([
      ['priceCents', 100_000_001, 'priceCents must not be greater than 100000000'],
      ['initialStock', 1_000_001, 'initialStock must not be greater than 1000000'],
    ])('answers 400 for %s one above its bound, naming the field and the bound, and writes nothing', async (field, value, message) => {
      const response = await post('/api/products', { ...valid, sku: 'TOO-MUCH-1', [field]: value });
      expect(response.status).toBe(400);
      expect(messages(response.body)).toEqual([message]);
      expect(await tested.store.readStream('product-TOO-MUCH-1')).toEqual([]);
      await nothingWritten();
    });
  });

  describe('POST /api/products/{sku}/stock', () => {
    it('adds stock: 200 with the product and its new levels', async () => {
      await post('/api/products', { sku: 'CUP-1', name: 'Cup', priceCents: 500, currency: 'USD', initialStock: 2 }).expect(201);
      const response = await post('/api/products/CUP-1/stock', { quantity: 3 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sku: 'CUP-1', name: 'Cup', priceCents: 500, currency: 'USD', available: 5, reserved: 0, sold: 0 });
    });

    it('answers 404 for an unknown sku, and writes nothing', async () => {
      const response = await post('/api/products/NO-SUCH/stock', { quantity: 3 });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, message: 'There is no product with sku NO-SUCH.' });
      await nothingWritten();
    });

    it('answers 400 for more than 1,000,000 units at once, naming the bound, and writes nothing', async () => {
      const response = await post('/api/products/MUG-BLUE/stock', { quantity: 1_000_001 });
      expect(response.status).toBe(400);
      expect(messages(response.body)).toEqual(['quantity must not be greater than 1000000']);
      await nothingWritten();
      expect((await request(tested.app.getHttpServer()).get('/api/products/MUG-BLUE')).body).toMatchObject({ available: 5 });
    });

    it.each([0, -2, 1.5, '3'])('answers 400 for quantity %p, and writes nothing', async (quantity) => {
      const response = await post('/api/products/MUG-BLUE/stock', { quantity });
      expect(response.status).toBe(400);
      expect(messages(response.body).every((message) => message.startsWith('quantity '))).toBe(true);
      await nothingWritten();
    });
  });

  describe('GET /api/products/{sku}', () => {
    it('shows the product with its stock levels', async () => {
      const response = await request(tested.app.getHttpServer()).get('/api/products/MUG-BLUE');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR', available: 5, reserved: 0, sold: 0 });
    });

    it('answers 404 for an unknown sku', async () => {
      const response = await request(tested.app.getHttpServer()).get('/api/products/NO-SUCH');
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'There is no product with sku NO-SUCH.' });
    });
  });

  it('documents every endpoint in the OpenAPI document', async () => {
    const { body } = await request(tested.app.getHttpServer()).get('/docs-json');
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/api/products']!.post!.responses).sort()).toEqual(['201', '400', '401', '403', '409']);
    expect(Object.keys(paths['/api/products/{sku}/stock']!.post!.responses).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(Object.keys(paths['/api/products/{sku}']!.get!.responses).sort()).toEqual(['200', '404']);
    const schemas = body.components.schemas as Record<string, { required: string[] }>;
    expect(schemas.AddProductRequest!.required.sort()).toEqual(['currency', 'initialStock', 'name', 'priceCents', 'sku']);
    expect(schemas.ProductView!.required).toEqual(expect.arrayContaining(['available', 'reserved', 'sold']));
    const bounds = body.components.schemas as Record<string, { properties: Record<string, { maximum?: number }> }>;
    expect(bounds.AddProductRequest!.properties.priceCents!.maximum).toBe(100_000_000);
    expect(bounds.AddProductRequest!.properties.initialStock!.maximum).toBe(1_000_000);
    expect(bounds.AddStockRequest!.properties.quantity!.maximum).toBe(1_000_000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CONTRACTS } from '@agora/contracts';
import { ContractRegistry } from '@agora/messaging';
import { type HttpTestApp, httpTestApp, testAuth } from '@agora/testing';
import { RecommendationOrdersHandler } from '../../integration/recommendation-orders.handler.js';
import { recommendationReadModel } from '../../read-model/recommendation-read-model.js';
import { RecommendationModule } from '../../recommendation.module.js';

describe('GET /api/products/{sku}/also-bought (HTTP, PostgreSQL)', () => {
  let tested: HttpTestApp;
  // Bought with MUG: TEA in 3 orders, CUP in 2, then P01…P11 once each.
  const fillers = Array.from({ length: 11 }, (_, i) => `P${String(i + 1).padStart(2, '0')}`);

  beforeAll(async () => {
    tested = await httpTestApp({ database: 'recommendation_http', title: 'Recommendation', readModels: [recommendationReadModel], imports: [RecommendationModule] });

    const orders = tested.app.get(RecommendationOrdersHandler);
    await orders.handle(confirmed(['MUG', 'TEA', 'CUP']));
    await orders.handle(confirmed(['MUG', 'TEA', 'CUP']));
    await orders.handle(confirmed(['TEA', 'MUG', ...fillers]));
  });

  afterAll(() => tested.close());

  function confirmed(skus: string[], customerId = 'alice') {
    const orderId = randomUUID();
    const parsed = ContractRegistry.of(CONTRACTS).parse({
      type: 'order.order-confirmed.v1',
      key: orderId,
      data: { orderId, customerId, lines: skus.map((sku) => ({ sku, quantity: 1, unitPriceCents: 500 })), totalCents: 500 * skus.length, currency: 'EUR' },
      metadata: { messageId: randomUUID(), correlationId: orderId, causationId: orderId, occurredAt: new Date().toISOString(), schemaVersion: 1 },
    });
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.message;
  }
  const get = (path: string) => request(tested.app.getHttpServer()).get(path);
  const messages = (body: unknown) => (body as { message: string[] }).message;

  it('answers 200 with the products bought together most often first, 10 by default', async () => {
    const response = await get('/api/products/MUG/also-bought');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      sku: 'MUG',
      alsoBought: [{ sku: 'TEA', count: 3 }, { sku: 'CUP', count: 2 }, ...fillers.slice(0, 8).map((sku) => ({ sku, count: 1 }))],
    });
  });

  it('answers as many as the limit asks, up to 50', async () => {
    const two = await get('/api/products/MUG/also-bought?limit=2');
    expect(two.status).toBe(200);
    expect(two.body).toEqual({ sku: 'MUG', alsoBought: [{ sku: 'TEA', count: 3 }, { sku: 'CUP', count: 2 }] });

    const all = await get('/api/products/MUG/also-bought?limit=50');
    expect(all.status).toBe(200);
    expect(all.body.alsoBought).toHaveLength(13);
  });

  it('answers 200 with an empty list for a sku nobody bought', async () => {
    const response = await get('/api/products/NO-SUCH/also-bought');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sku: 'NO-SUCH', alsoBought: [] });
  });

  it.each([
    ['0', 'limit must not be less than 1'],
    ['51', 'limit must not be greater than 50'],
    ['abc', 'limit must be an integer number'],
    ['2.5', 'limit must be an integer number'],
  ])('answers 400 naming limit for limit=%s', async (limit, expected) => {
    const response = await get(`/api/products/MUG/also-bought?limit=${limit}`);
    expect(response.status).toBe(400);
    expect(messages(response.body)).toContain(expected);
    for (const message of messages(response.body)) expect(message).toMatch(/^limit /);
  });

  it('is described in the OpenAPI document', async () => {
    const { body } = await get('/docs-json');
    const operation = body.paths['/api/products/{sku}/also-bought'].get;
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400']);
    expect(operation.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'sku', in: 'path', required: true }),
        expect.objectContaining({ name: 'limit', in: 'query', required: false }),
      ]),
    );
    expect(body.components.schemas.AlsoBoughtView.required.sort()).toEqual(['alsoBought', 'sku']);
    expect(body.components.schemas.AlsoBoughtProduct.required.sort()).toEqual(['count', 'sku']);
  });

  describe('GET /api/recommendations/me', () => {
    it("recommends to the signed-in customer what was bought with theirs, best first, nothing they own", async () => {
      await tested.app.get(RecommendationOrdersHandler).handle(confirmed(['CUP'], 'bob'));
      const response = await get('/api/recommendations/me?limit=3').set(await testAuth.bearer({ userId: 'bob', role: 'customer' }));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ customerId: 'bob', recommendations: [{ sku: 'MUG', score: 2 }, { sku: 'TEA', score: 2 }] });
    });

    it('answers 401 without a token', async () => {
      expect((await get('/api/recommendations/me')).status).toBe(401);
    });
  });
});

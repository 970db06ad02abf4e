import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Global, Module, ValidationPipe, type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import request from 'supertest';
import type { Message } from '@agora/contracts';
import type { IntegrationMessage } from '@agora/messaging';
import { EVENT_STORE, PostgresEventStore } from '@agora/event-sourcing';
import { PG_POOL } from '@agora/platform';
import { ReadSideModule } from '@agora/projections';
import { eventStoreForTest, testAuth, testBackgroundWork } from '@agora/testing';
import { paymentReadModel } from '../../read-model/payments.projection.js';
import { SimulatedPaymentGateway } from '../../gateway/simulated-payment-gateway.js';
import { PaymentCommandsHandler } from '../../integration/payment-commands.handler.js';
import { PaymentModule } from '../../payment.module.js';
import type { PaymentsView } from './payments-view.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function command(type: Message['type'], data: Record<string, unknown>): IntegrationMessage<Message> {
  const messageId = randomUUID();
  const metadata = { messageId, correlationId: messageId, causationId: messageId, occurredAt: new Date().toISOString(), schemaVersion: 1 };
  return { type, key: data.orderId as string, data, metadata } as IntegrationMessage<Message>;
}

describe('GET /api/payments', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let app: INestApplication;
  const gateway = new SimulatedPaymentGateway();
  let admin: { authorization: string };

  beforeAll(async () => {
    const db = await eventStoreForTest('payment_http', { max: 10 });
    const { url } = db;
    ({ pool, store } = db);

    // What the host provides to every context module.
    @Global()
    @Module({ providers: [{ provide: PG_POOL, useValue: pool }, { provide: EVENT_STORE, useValue: store }], exports: [PG_POOL, EVENT_STORE] })
    class HostModule {}

    const moduleRef = await Test.createTestingModule({ imports: [HostModule, testAuth.module(), testBackgroundWork(url), ReadSideModule.forRoot({ readModels: [paymentReadModel], url: () => url }), PaymentModule.forRoot({ gateway })] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('api');
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    await app.init();
    admin = await testAuth.bearer({ userId: 'admin-1', role: 'admin' });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
  });

  const get = (query: string) => request(app.getHttpServer()).get(`/api/payments${query}`).set(admin);

  it('is for admins: 401 without a token, 403 for a customer', async () => {
    const path = `/api/payments?orderId=${randomUUID()}`;
    expect((await request(app.getHttpServer()).get(path)).status).toBe(401);
    expect((await request(app.getHttpServer()).get(path).set(await testAuth.bearer({ userId: 'c-1', role: 'customer' }))).status).toBe(403);
  });
  async function until(orderId: string, done: (view: PaymentsView) => boolean): Promise<PaymentsView> {
    for (const started = Date.now(); Date.now() - started < 10_000; await sleep(10)) {
      const response = await get(`?orderId=${orderId}`);
      if (response.status === 200 && done(response.body as PaymentsView)) return response.body as PaymentsView;
    }
    throw new Error(`order ${orderId} did not converge`);
  }

  it('shows a captured charge, then its refund', async () => {
    const orderId = randomUUID();
    const commands = app.get(PaymentCommandsHandler);
    await commands.handle(command('payment.charge-payment.v1', { orderId, amountCents: 1234, currency: 'EUR', paymentToken: 'tok_visa' }));
    const captured = await until(orderId, (view) => view.charges[0]?.status === 'captured');
    expect(captured).toEqual({
      orderId,
      charges: [{ chargeId: gateway.charges[0]!.chargeId, amountCents: 1234, currency: 'EUR', status: 'captured', at: expect.stringMatching(ISO_INSTANT) }],
      refunds: [],
    });

    await commands.handle(command('payment.refund-payment.v1', { orderId, reason: 'order-cancelled' }));
    const refunded = await until(orderId, (view) => view.refunds[0]?.status === 'refunded');
    expect(refunded.refunds).toEqual([
      {
        refundId: gateway.refunds[0]!.refundId,
        chargeId: gateway.charges[0]!.chargeId,
        amountCents: 1234,
        status: 'refunded',
        at: expect.stringMatching(ISO_INSTANT),
      },
    ]);
  });

  it('shows a declined charge with its reason and a refund that was not needed', async () => {
    const orderId = randomUUID();
    const commands = app.get(PaymentCommandsHandler);
    await commands.handle(command('payment.charge-payment.v1', { orderId, amountCents: 500, currency: 'USD', paymentToken: 'tok_chargeDeclined' }));
    await until(orderId, (view) => view.charges[0]?.status === 'declined');
    await commands.handle(command('payment.refund-payment.v1', { orderId, reason: 'payment-declined' }));
    const view = await until(orderId, (v) => v.refunds.length === 1);
    expect(view.charges).toEqual([{ amountCents: 500, currency: 'USD', status: 'declined', reason: 'card-declined', at: expect.stringMatching(ISO_INSTANT) }]);
    expect(view.refunds).toEqual([{ amountCents: 0, status: 'not-needed', at: expect.stringMatching(ISO_INSTANT) }]);
  });

  it('shows a charge still waiting for the gateway as pending', async () => {
    const orderId = randomUUID();
    await app.get(PaymentCommandsHandler).handle(command('payment.charge-payment.v1', { orderId, amountCents: 99, currency: 'EUR', paymentToken: 'tok_timeout' }));
    await until(orderId, (view) => view.charges.length > 0); // the read model follows the stream a moment later
    const response = await get(`?orderId=${orderId}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ charges: [{ amountCents: 99, currency: 'EUR', status: 'pending' }], refunds: [] });
  });

  it('answers an order without payment with empty lists', async () => {
    const orderId = randomUUID();
    const response = await get(`?orderId=${orderId}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ orderId, charges: [], refunds: [] });
  });

  it.each([
    ['a missing orderId', ''],
    ['an orderId that is not a UUID', '?orderId=42'],
  ])('answers 400 for %s, naming the field', async (_case, query) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    expect((response.body as { message: string[] }).message).toEqual(expect.arrayContaining([expect.stringMatching(/^orderId /)]));
  });

  it('is described in the OpenAPI document', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    const operation = document.paths['/api/payments']?.get;
    expect(operation?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'orderId', in: 'query', required: true })]));
    expect(JSON.stringify(operation?.responses['200'])).toContain('PaymentsDto');
    expect(document.components?.schemas?.ChargeDto).toBeDefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Logger, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import pino from 'pino';
import request from 'supertest';
import { Writable } from 'node:stream';
import { ClientAddress } from '../auth/principal.js';
import { loggerModule } from '../logging/logger.js';
import { CorrelationId } from './correlation-id.js';
import { createHttpApp, SHUTDOWN_SIGNALS } from './http-app.js';
import { MAX_JSON_DEPTH } from './json-depth.js';

class PlaceOrderBody {
  @IsString()
  @IsNotEmpty()
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

/** Every order the controller was asked to place. */
const placed: unknown[] = [];

@Controller('orders')
class OrdersController {
  @Post()
  place(@Body() body: PlaceOrderBody, @CorrelationId() correlationId: string) {
    placed.push(body);
    new Logger('Orders').log(`placing ${body.sku}`);
    return { correlationId, quantity: body.quantity, validatedInstance: body instanceof PlaceOrderBody };
  }

  @Get('named/:sku')
  named(@Param('sku') sku: string, @Query('note') note?: string) {
    return { sku, note };
  }

  @Post('empty')
  empty(@Body() body: unknown) {
    return { body: body ?? null };
  }

  @Get('caller')
  clientAddress(@ClientAddress() address: string) {
    return { address };
  }
}

describe('the HTTP conventions every host gets', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  let app: INestApplication;
  // createHttpApp takes over the shutdown signals; give them back to jest afterwards.
  const signalListeners = SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);

  beforeAll(async () => {
    app = await createHttpApp(
      { module: class OrdersModule {}, imports: [loggerModule(logger)], controllers: [OrdersController] },
      { logger, title: 'Test', description: 'Test app', version: '0.0.0', jsonBodyLimit: '1kb' },
    );
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    for (const [signal, listeners] of signalListeners) for (const listener of listeners) process.on(signal, listener);
  });

  const post = (body: unknown) =>
    request(app.getHttpServer())
      .post('/api/orders')
      .set('content-type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  it('serves controllers under /api with validated, transformed input', async () => {
    const response = await post({ sku: 'sku-1', quantity: 2 }).set('x-correlation-id', 'order-42');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ correlationId: 'order-42', quantity: 2, validatedInstance: true });
    expect(response.headers['x-correlation-id']).toBe('order-42');
  });

  it('answers 400 naming each failing field', async () => {
    const response = await post({ sku: '', quantity: 0 });
    expect(response.status).toBe(400);
    const messages = (response.body as { message: string[] }).message;
    expect(messages.some((message) => message.startsWith('sku '))).toBe(true);
    expect(messages.some((message) => message.startsWith('quantity '))).toBe(true);
  });

  it('refuses fields that the DTO does not declare', async () => {
    const response = await post({ sku: 'sku-1', quantity: 1, price: 0 });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ message: ['property price should not exist'] });
  });

  it('answers malformed JSON with 400 and says so', async () => {
    const response = await post('{"sku": "sku-1",');
    expect(response.status).toBe(400);
    expect((response.body as { message: string }).message).toMatch(/^The request body is not valid JSON: /);
  });

  it.each([
    { what: 'a NUL character', sku: 'a\u0000b', message: 'sku must not contain a NUL character (\\u0000)' },
    { what: 'an unpaired surrogate', sku: 'a\ud800b', message: 'sku must be well-formed Unicode: it contains an unpaired surrogate' },
    { what: 'a low surrogate alone', sku: '\udc00', message: 'sku must be well-formed Unicode: it contains an unpaired surrogate' },
  ])('refuses a string with $what in a body, a query or a path with 400 naming the field', async ({ sku, message }) => {
    expect(await post({ sku, quantity: 1 })).toMatchObject({ status: 400, body: { message: [message] } });
    expect(await post({ sku: 'sku-1', quantity: 1, [sku]: 1 })).toMatchObject({ status: 400, body: { message: [message.replace(/^sku/, `the name of ${sku}`)] } });
    const query = await request(app.getHttpServer()).get(`/api/orders/named/ok?note=${encodeURIComponent(sku.replace(/[\ud800-\udfff]/g, ''))}%00`);
    expect(query).toMatchObject({ status: 400, body: { message: ['note must not contain a NUL character (\\u0000)'] } });
    const path = await request(app.getHttpServer()).get('/api/orders/named/a%00b');
    expect(path).toMatchObject({ status: 400, body: { message: ['sku must not contain a NUL character (\\u0000)'] } });
  });

  it('takes well-formed text, pairs of surrogates too', async () => {
    const response = await post({ sku: 'sku-😀-é', quantity: 1 });
    expect(response.status).toBe(201);
    expect((await request(app.getHttpServer()).get('/api/orders/named/%F0%9F%98%80?note=caf%C3%A9')).body).toEqual({ sku: '😀', note: 'café' });
  });

  it('refuses a body nested deeper than the limit with 400 naming the field, and takes one at the limit', async () => {
    const nested = (levels: number): unknown => (levels === 0 ? 1 : [nested(levels - 1)]);
    const response = await post({ sku: 'sku-1', quantity: 1, deep: nested(MAX_JSON_DEPTH) });
    expect(response.status).toBe(400);
    expect((response.body as { message: string[] }).message).toEqual([expect.stringMatching(/^deep is nested too deep: the request body may nest objects and arrays at most 32 levels \(at deep\.0\.0/)]);
    // At the limit the depth passes, and validation names the field it does not know.
    expect((await post({ sku: 'sku-1', quantity: 1, deep: nested(MAX_JSON_DEPTH - 2) })).body).toMatchObject({ message: ['property deep should not exist'] });
  });

  it('answers a body over the limit with 413', async () => {
    const response = await post({ sku: 'x'.repeat(2000), quantity: 1 });
    expect(response.status).toBe(413);
  });

  it('logs every line of a request, the handler’s own too, with its correlation id', async () => {
    await post({ sku: 'sku-7', quantity: 1 }).set('x-correlation-id', 'trace-me');
    const traced = lines.filter((line) => line.correlationId === 'trace-me');
    expect(traced.map((line) => line.msg)).toEqual(['placing sku-7', 'request completed']);
    expect(traced[0]).toMatchObject({ context: 'Orders' });
  });

  it('gives requests without a usable id a fresh UUID', async () => {
    const response = await post({ sku: 'sku-1', quantity: 1 }).set('x-correlation-id', 'x'.repeat(500));
    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body).toMatchObject({ correlationId: response.headers['x-correlation-id'] });
  });

  it('takes the client address from the connection: X-Forwarded-For counts only behind trusted proxies', async () => {
    const response = await request(app.getHttpServer()).get('/api/orders/caller').set('x-forwarded-for', '203.0.113.9');
    expect(response.body).toEqual({ address: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/) });
  });

  it('serves the OpenAPI document outside the /api prefix', async () => {
    const response = await request(app.getHttpServer()).get('/docs-json');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ info: { title: 'Test', version: '0.0.0' }, paths: { '/api/orders': {} } });
  });

  it('sends helmet’s security headers on every response, and no X-Powered-By', async () => {
    for (const path of ['/api/orders/caller', '/docs', '/docs-json', '/api/nowhere']) {
      const response = await request(app.getHttpServer()).get(path);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
        'referrer-policy': 'no-referrer',
      });
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('refuses a body that is not JSON with 415 naming the accepted type, before the handler runs', async () => {
    const before = placed.length;
    const form = await request(app.getHttpServer()).post('/api/orders').type('form').send('sku=sku-1&quantity=1');
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject({ message: 'The request body must be JSON, sent with Content-Type: application/json, not application/x-www-form-urlencoded' });
    const multipart = await request(app.getHttpServer()).post('/api/orders').field('sku', 'sku-1').field('quantity', '1');
    expect(multipart.status).toBe(415);
    expect((multipart.body as { message: string }).message).toMatch(/^The request body must be JSON, sent with Content-Type: application\/json, not multipart\/form-data/);
    const text = await request(app.getHttpServer()).post('/api/orders').set('content-type', 'text/plain').send('{"sku":"sku-1","quantity":1}');
    expect(text.status).toBe(415);
    const untyped = await request(app.getHttpServer()).post('/api/orders').unset('content-type').send(Buffer.from('{"sku":"sku-1","quantity":1}'));
    expect(untyped.status).toBe(415);
    expect(placed.length).toBe(before);
  });

  it('takes a POST without a body, and JSON with a charset', async () => {
    expect((await request(app.getHttpServer()).post('/api/orders/empty')).status).toBe(201);
    const withCharset = await request(app.getHttpServer()).post('/api/orders').set('content-type', 'application/json; charset=utf-8').send('{"sku":"sku-1","quantity":1}');
    expect(withCharset.status).toBe(201);
  });
});

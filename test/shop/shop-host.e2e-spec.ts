import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, freePort, HostProcess } from '@agora/testing';

describe('the shop host on a configured database', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('shop_host') } });
  }, 60_000);

  afterAll(async () => {
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('reports the database and the event store up on /health', async () => {
    const response = await fetch(`${host.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, eventStore: { status: 'up' } },
    });
  });

  it('serves its OpenAPI document at /docs-json and the UI at /docs', async () => {
    const document = (await (await fetch(`${host.url}/docs-json`)).json()) as { openapi: string; info: { title: string }; paths: object };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Agora');
    expect(Object.keys(document.paths)).toContain('/health');
    expect((await fetch(`${host.url}/docs`)).headers.get('content-type')).toMatch(/text\/html/);
  });

  it("echoes the caller's correlation id and logs the request with it", async () => {
    const response = await fetch(`${host.url}/health`, { headers: { 'x-correlation-id': 'abc-123' } });
    expect(response.headers.get('x-correlation-id')).toBe('abc-123');
    const line = await host.waitForLog((log) => log.correlationId === 'abc-123');
    expect(line).toMatchObject({ msg: 'request completed', req: { method: 'GET', url: '/health' }, res: { statusCode: 200 } });
  });

  it('gives a request without a usable correlation id a new one', async () => {
    const response = await fetch(`${host.url}/health`, { headers: { 'x-correlation-id': 'not a token; <script>' } });
    const id = response.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await host.waitForLog((log) => log.correlationId === id);
  });

  it('refuses malformed and oversized JSON bodies with 400 and 413', async () => {
    const post = (body: string) => fetch(`${host.url}/api/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const malformed = await post('{"sku": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/^The request body is not valid JSON/);
    expect((await post(JSON.stringify({ blob: 'x'.repeat(200_000) }))).status).toBe(413);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await fetch(`${host.url}/api/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, freePort, HostProcess, launchChromium, watchPage } from '@agora/testing';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';

interface GraphqlAnswer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const postGraphql = async (url: string, query: string): Promise<{ status: number; body: GraphqlAnswer }> => {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as GraphqlAnswer };
};

const register = (url: string, email: string) =>
  fetch(`${url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, name: 'Browser', password: 'browser-password' }) });

/** What a browser gets from the shop: security headers, pages that work under them, no form posts, and in production no GraphQL IDE. */
describe('the shop in a browser', () => {
  let host: HostProcess;
  let production: HostProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // Each started one is kept, so that afterAll stops the hosts when Chromium cannot start.
    const [started, startedProduction, launched] = await Promise.allSettled([
      HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('shop_browser'), LOG_LEVEL: 'warn', NODE_ENV: 'development' } }).then((h) => (host = h)),
      HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('shop_browser_prod'), LOG_LEVEL: 'warn', NODE_ENV: 'production', ADMIN_PASSWORD: 'the operator chose this' } }).then(
        (h) => (production = h),
      ),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const outcome of [started, startedProduction, launched]) if (outcome.status === 'rejected') throw outcome.reason;
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    expect(await Promise.all([host?.stop('SIGTERM'), production?.stop('SIGTERM')])).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  }, 30_000);

  it('gets security headers and no X-Powered-By on REST, /docs, /graphql and /health, in production too', async () => {
    for (const url of [host.url, production.url]) {
      const responses = [
        await fetch(`${url}/api/products`),
        await fetch(`${url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
        await fetch(`${url}/docs`),
        await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
        await fetch(`${url}/health`),
      ];
      for (const response of responses) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
        expect(response.headers.get('x-powered-by')).toBeNull();
      }
    }
  });

  it('renders /docs, the Swagger UI, under the Content-Security-Policy with no violation and nothing from elsewhere', async () => {
    const trouble = watchPage(page, host.url);
    const response = await page.goto(`${host.url}/docs`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    // The operations of the API, as the UI lists them once its scripts ran on the OpenAPI document.
    await page.locator('.opblock-summary-path', { hasText: '/api/orders' }).first().waitFor();
    await page.locator('.opblock-summary-path', { hasText: '/api/orders' }).first().click();
    await page.getByRole('button', { name: 'Try it out' }).waitFor();
    expect(await page.locator('.swagger-ui .info .title').textContent()).toMatch(/^Agora/);
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
  });

  it('serves GraphiQL at /graphql outside production, from its own files, working under the policy and keeping no token', async () => {
    const trouble = watchPage(page, host.url);
    await page.goto(`${host.url}/graphql`);
    await page.locator('.graphiql-container').waitFor();
    // A token typed into the headers editor is used for the query…
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor').last().click();
    await page.keyboard.type('{"Authorization": "Bearer browser-secret-token"');
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{ products(first: 1) { nextCursor');
    const answered = page.waitForResponse((response) => response.url() === `${host.url}/graphql` && response.request().postData()?.includes('products') === true);
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
    const response = await answered;
    expect(response.request().headers()['authorization']).toBe('Bearer browser-secret-token');
    await page.locator('.result-window', { hasText: '"nextCursor"' }).waitFor();
    // …and is not kept in the browser's storage (its history included).
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
    expect(stored).not.toContain('browser-secret-token');
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
  });

  it('in production serves no IDE, answers no introspection and suggests no field names', async () => {
    const ide = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await ide.text()).not.toMatch(/graphiql/i);
    expect((await fetch(`${production.url}/graphiql/graphiql.js`)).status).toBe(404);
    expect((await fetch(`${host.url}/graphiql/graphiql.js`)).status).toBe(200);

    const introspection = await postGraphql(production.url, '{ __schema { queryType { name } } }');
    expect(introspection.status).toBe(400);
    expect(introspection.body.errors![0]!.message).toMatch(/introspection is not allowed/i);
    expect((await postGraphql(host.url, '{ __schema { queryType { name } } }')).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });

    const typo = '{ produts { items { sku } } }';
    expect((await postGraphql(host.url, typo)).body.errors![0]!.message).toMatch(/^Cannot query field "produts" on type "Query". Did you mean "products?" or "products?"\?$/);
    const hidden = await postGraphql(production.url, typo);
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors).toEqual([expect.objectContaining({ message: 'Cannot query field "produts" on type "Query".' })]);
  });

  it('refuses a form posted from another site with 415 naming JSON, and registers nobody', async () => {
    const email = `form-${randomUUID().slice(0, 8)}@example.com`;
    await page.goto('about:blank');
    for (const [action, enctype] of [
      [`${host.url}/api/users`, 'application/x-www-form-urlencoded'],
      [`${host.url}/api/users`, 'multipart/form-data'],
      [`${host.url}/api/users`, 'text/plain'],
      [`${host.url}/graphql`, 'application/x-www-form-urlencoded'],
    ] as const) {
      await page.setContent(`<form method="post" action="${action}" enctype="${enctype}">
        <input name="email" value="${email}"><input name="name" value="Form"><input name="password" value="form-password">
        <input name="query" value='mutation { register(input: { email: "${email}", name: "Form", password: "form-password" }) { userId } }'>
      </form>`);
      const [response] = await Promise.all([page.waitForResponse(action), page.locator('form').evaluate((form) => (form as unknown as { submit(): void }).submit())]);
      expect(response.status()).toBe(415);
      expect(((await response.json()) as { message: string }).message).toMatch(/^The request body must be JSON, sent with Content-Type: application\/json, not /);
    }
    // A mutation sent by GET (a link, an image) runs neither, even with the header that gets a GET past Apollo's CSRF check.
    const query = encodeURIComponent(`mutation { register(input: { email: "${email}", name: "Get", password: "get-password" }) { userId } }`);
    const byGet = await fetch(`${host.url}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(byGet.status).toBe(400);
    expect(((await byGet.json()) as GraphqlAnswer).errors![0]!.message).toBe('GET requests only support query operations, not mutation operations');
    expect((await register(host.url, email)).status).toBe(201);
  });
});

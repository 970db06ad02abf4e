import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventSource } from 'eventsource';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { createTestDatabase, freePort, HostProcess, launchChromium, until, watchPage } from '@agora/testing';
import { ADMIN, ShopClient } from '../checkout/shop-client.js';

interface FeedEvent {
  readonly type: string;
  readonly id: string;
  readonly data: { readonly orders?: readonly { readonly orderId: string; readonly status: string }[] };
}

/** `GET /api/orders/changes` followed as the console follows it, from `lastEventId` when given. */
function followChanges(url: string, token: string, lastEventId?: string): { readonly events: FeedEvent[]; readonly close: () => void } {
  const events: FeedEvent[] = [];
  const source = new EventSource(`${url}/api/orders/changes`, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}`, ...(lastEventId && !('Last-Event-ID' in init.headers) && { 'last-event-id': lastEventId }) } }),
  });
  for (const type of ['reset', 'orders', 'alive']) {
    source.addEventListener(type, (event) => events.push({ type, id: event.lastEventId, data: JSON.parse(event.data) as FeedEvent['data'] }));
  }
  return { events, close: () => source.close() };
}

/** The status an order last had in a feed's events; `undefined` when it never came. */
function lastStatusIn(events: readonly FeedEvent[], orderId: string): string | undefined {
  return events.flatMap((event) => event.data.orders ?? []).findLast((order) => order.orderId === orderId)?.status;
}

/** Where the run leaves a screenshot of each page of the console (git-ignored). */
const SCREENSHOTS = join(process.cwd(), 'test-output', 'console');

/** The operations console at /console, driven in Chromium as an operator uses it. */
describe('the operations console in a browser', () => {
  let host: HostProcess;
  let browser: Browser;
  let page: Page;
  let client: ShopClient;
  let database: pg.Pool;
  let startHost: () => Promise<HostProcess>;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('console');
    database = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const port = await freePort();
    startHost = () => HostProcess.start({ port, env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' } });
    // Each started one is kept, so that afterAll stops the host when Chromium cannot start.
    const [started, launched] = await Promise.allSettled([
      startHost().then((h) => (host = h)),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const outcome of [started, launched]) if (outcome.status === 'rejected') throw outcome.reason;
    client = await ShopClient.signIn(host.url);
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await database?.end();
    await browser?.close();
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  const signIn = async (email: string, password: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const shownIds = () => page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-order-id')));

  it('signs an admin in and lists the orders placed through the API, newest first; filters them by status and finds one by its id', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    const sku = await client.addProduct(10, 1250);
    const confirmed = await client.placeOrder([{ sku, quantity: 2 }]);
    const declined = await client.placeOrder([{ sku, quantity: 1 }], 'tok_declined');
    const [confirmedOrder] = await Promise.all([client.settled(confirmed), client.settled(declined)]);

    await page.goto(`${host.url}/console`);
    expect(page.url()).toBe(`${host.url}/console/`);
    await signIn(ADMIN.email, ADMIN.password);
    const row = page.locator(`tr[data-order-id="${confirmed}"]`);
    await row.waitFor();
    expect(await row.locator('td').allInnerTexts()).toEqual([confirmed, 'CONFIRMED', confirmedOrder.customerId, '€25.00', `2 × ${sku}`, expect.stringMatching(/^\d+ s$/)]);
    expect((await page.locator(`tr[data-order-id="${declined}"] td`).nth(1).innerText()).startsWith('REJECTED')).toBe(true);
    expect(await page.getByText('Loading the console').count()).toBe(0);
    const ids = await shownIds();
    expect(ids.indexOf(declined)).toBeLessThan(ids.indexOf(confirmed));
    // The token is the tab's: never in the address.
    expect(page.url()).toBe(`${host.url}/console/`);
    await page.screenshot({ path: join(SCREENSHOTS, 'orders.png'), fullPage: true });

    await page.getByLabel('Status').selectOption('REJECTED');
    await until(async () => !(await shownIds()).includes(confirmed), 10_000);
    expect(await shownIds()).toContain(declined);
    expect(new Set(await page.locator('tbody tr td:nth-child(2) .status').allInnerTexts())).toEqual(new Set(['REJECTED']));

    await page.getByLabel('Order id').fill(confirmed);
    await page.getByRole('button', { name: 'Find' }).click();
    await until(async () => (await shownIds()).join() === confirmed, 10_000);

    // Reloading keeps the tab signed in; signing out forgets it.
    await page.reload();
    await row.waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it('refuses a customer and a wrong password, saying why', async () => {
    page = await browser.newPage();
    const trouble = watchPage(page, host.url);
    const email = `console-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await fetch(`${host.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, name: 'Not an admin', password: 'customer-password' }) });
    expect(registered.status).toBe(201);

    await page.goto(`${host.url}/console/`);
    await signIn(email, 'customer-password');
    await expect(page.getByRole('alert').innerText()).resolves.toBe('The console is for admins: this account is not one.');
    expect(await page.locator('table').count()).toBe(0);

    await signIn(ADMIN.email, 'not the password');
    await until(async () => (await page.getByRole('alert').innerText()) !== 'The console is for admins: this account is not one.', 10_000);
    expect(await page.getByRole('alert').innerText()).toMatch(/password/i);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-refused.png') });
    // The refused sign-in is an answer the page shows, not an error of the page's own.
    expect(trouble.pageErrors).toEqual([]);
    expect(trouble.foreignRequests).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows an order placed while it is open, and its outcome, without a reload', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    await page.goto(`${host.url}/console/`);
    await signIn(ADMIN.email, ADMIN.password);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    // Anything the page keeps goes if it reloads.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

    const sku = await client.addProduct(10, 990);
    const orderId = await client.placeOrder([{ sku, quantity: 3 }]);
    const row = page.locator(`tr[data-order-id="${orderId}"]`);
    await row.locator('.status.confirmed').waitFor({ timeout: 20_000 });
    expect(await row.locator('td').allInnerTexts()).toEqual([orderId, 'CONFIRMED', (await client.order(orderId)).customerId, '€29.70', `3 × ${sku}`, expect.stringMatching(/^\d+ s$/)]);
    expect((await shownIds())[0]).toBe(orderId);
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // A table of one status takes an order once it has that status, and lets it go when it leaves it.
    await page.getByLabel('Status').selectOption('PENDING');
    await until(async () => !(await shownIds()).includes(orderId), 10_000);
    await page.getByLabel('Status').selectOption('REJECTED');
    const declined = await client.placeOrder([{ sku, quantity: 1 }], 'tok_chargeDeclined');
    await page.locator(`tr[data-order-id="${declined}"] .status.rejected`).waitFor({ timeout: 20_000 });
    expect(await shownIds()).not.toContain(orderId);
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it("opens an order: its checkout's steps in order with their times, the compensation of a declined payment, every event of its streams, and its whole story across streams", async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const trouble = watchPage(page, host.url);
    const sku = await client.addProduct(5, 1500);
    const orderId = await client.placeOrder([{ sku, quantity: 2 }], 'tok_chargeDeclined');
    expect(await client.settled(orderId)).toMatchObject({ status: 'REJECTED', reason: 'payment-declined' });
    const saga = (await client.request<{ steps: { step: string; at: string }[] }>('GET', `/api/orders/${orderId}/saga`)).body;

    await page.goto(`${host.url}/console/`);
    await signIn(ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: orderId }).click();
    expect(page.url()).toBe(`${host.url}/console/#/orders/${orderId}`);
    const steps = page.getByRole('list', { name: 'Saga steps' }).getByRole('listitem');
    await steps.first().waitFor();
    const shownSteps = await steps.evaluateAll((items) => items.map((item) => ({ step: item.getAttribute('data-step'), at: item.querySelector('time')!.getAttribute('datetime')! })));
    expect(shownSteps.map((step) => step.step)).toEqual(['reserving', 'charging', 'rejected']);
    expect(shownSteps.map((step) => step.step)).toEqual(saga.steps.map((step) => step.step));
    const times = shownSteps.map((step) => Date.parse(step.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Each step within a moment of when the saga's read model says it was taken (the store's clock and the decider's).
    shownSteps.forEach((step, index) => expect(Math.abs(Date.parse(step.at) - Date.parse(saga.steps[index]!.at))).toBeLessThan(1000));

    const bars = page.getByRole('list', { name: 'Requests, answers and deadlines' }).getByRole('listitem');
    const shownBars = await bars.evaluateAll((items) => items.map((item) => ({ kind: item.getAttribute('data-kind'), type: item.getAttribute('data-type'), text: item.textContent })));
    expect(shownBars).toEqual([
      { kind: 'command', type: 'inventory.reserve-stock.v1', text: expect.stringContaining('inventory.reservation-accepted.v1') },
      { kind: 'deadline', type: 'reservation', text: expect.stringContaining('cleared at charging') },
      { kind: 'command', type: 'payment.charge-payment.v1', text: expect.stringContaining('payment.declined.v1') },
      { kind: 'deadline', type: expect.any(String), text: expect.stringContaining('cleared at rejected') },
      { kind: 'compensation', type: 'inventory.release-reservation.v1', text: expect.stringContaining('inventory.reservation-released.v1') },
    ]);
    expect(await bars.filter({ hasText: 'release reservation' }).getByText('compensation').count()).toBe(1);

    const eventTypes = () => page.locator('table.events tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    const types = await eventTypes();
    for (const type of ['order.placed.v1', 'saga.input-handled.v1', 'inventory.reservation-accepted.v1', 'payment.declined.v1', 'order.rejected.v1', 'inventory.reservation-released.v1']) {
      expect(types).toContain(type);
    }
    expect(types.indexOf('order.placed.v1')).toBeLessThan(types.indexOf('order.rejected.v1'));
    await page.screenshot({ path: join(SCREENSHOTS, 'order.png'), fullPage: true });
    const placedRow = page.locator('table.events tr[data-type="order.placed.v1"]');
    await placedRow.getByText('payload').click();
    expect(JSON.parse(await placedRow.locator('pre').innerText())).toMatchObject({ orderId, lines: [{ sku, quantity: 2, unitPriceCents: 1500 }] });

    // A correlation id leads to every message of that story, whatever its stream: the
    // order's four, the product's, whose stock the checkout held and released, and the
    // customer's pending orders.
    const { customerId } = (await client.request<{ customerId: string }>('GET', `/api/orders/${orderId}`)).body;
    const orderStreams = new Set(await page.locator('table.events tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-stream'))));
    const placed = await client.request<{ events: { correlationId: string }[] }>('GET', `/api/admin/streams/order-${orderId}`, undefined, {}, 'admin');
    const correlationId = placed.body.events[0]!.correlationId;
    await placedRow.getByRole('link', { name: correlationId.slice(0, 8) }).click();
    expect(page.url()).toBe(`${host.url}/console/#/correlations/${correlationId}`);
    const storyRows = page.locator('table.events tbody tr');
    await storyRows.first().waitFor();
    const story = await storyRows.evaluateAll((rows) => rows.map((row) => ({ stream: row.getAttribute('data-stream'), type: row.getAttribute('data-type'), correlationId: row.getAttribute('data-correlation-id') })));
    const told = await client.request<{ events: { streamName: string; type: string }[] }>('GET', `/api/admin/correlations/${correlationId}`, undefined, {}, 'admin');
    expect(story.map(({ stream, type }) => [stream, type])).toEqual(told.body.events.map(({ streamName, type }) => [streamName, type]));
    expect(new Set(story.map((row) => row.correlationId))).toEqual(new Set([correlationId]));
    expect(new Set(story.map((row) => row.stream))).toEqual(new Set([...orderStreams, `product-${sku}`, `pending_orders-${customerId}`]));
    expect(story.filter((row) => row.stream === `product-${sku}`).map((row) => row.type)).toEqual(['inventory.product-stock-reserved.v1', 'inventory.product-stock-released.v1']);
    await page.screenshot({ path: join(SCREENSHOTS, 'correlation.png'), fullPage: true });
    // And from a stream of the order's back to its page.
    await page.locator(`table.events tr[data-stream="payment-${orderId}"]`).first().getByRole('link', { name: /^payment / }).click();
    expect(page.url()).toBe(`${host.url}/console/#/orders/${orderId}`);
    await page.getByRole('list', { name: 'Saga steps' }).waitFor();

    // Two stories asked one after the other: the page shows the one asked last, also when
    // the first one's answer comes after it (held back here).
    const added = await client.request<{ events: { correlationId: string }[] }>('GET', `/api/admin/streams/product-${sku}`, undefined, {}, 'admin');
    const addedStory = added.body.events[0]!.correlationId;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/admin/correlations/${correlationId}`, async (route) => {
      await held;
      await route.continue();
    });
    const lateAnswer = page.waitForResponse((response) => response.url().endsWith(`/api/admin/correlations/${correlationId}`));
    // (Strings: the page's globals, which the tests' types do not know.)
    await page.evaluate(`location.hash = '#/correlations/${correlationId}'`);
    await page.evaluate(`location.hash = '#/correlations/${addedStory}'`);
    await page.locator('table.events tr[data-type="inventory.product-added.v1"]').waitFor();
    release();
    await lateAnswer;
    // The late answer read and rendered, had it been taken (Preact renders before the next frames).
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    expect(await page.locator('#correlation-title').innerText()).toContain(addedStory);
    const shownStories = await page.locator('table.events tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-correlation-id')));
    expect(new Set(shownStories)).toEqual(new Set([addedStory]));
    await page.unroute(`**/api/admin/correlations/${correlationId}`);
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it('parks an event a projection cannot apply, lists it with its error, and applies it when retried from the page once the fault is gone', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    // A fault of the read models' database that refuses one product's row.
    await database.query(`
      CREATE OR REPLACE FUNCTION inventory_read.refuse_parked_sku() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.sku LIKE 'PARK-%' THEN RAISE EXCEPTION 'the disk for % is full', NEW.sku; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_parked_sku BEFORE INSERT OR UPDATE ON inventory_read.products FOR EACH ROW EXECUTE FUNCTION inventory_read.refuse_parked_sku();`);
    const sku = `PARK-${randomUUID().slice(0, 8).toUpperCase()}`;
    const added = await client.request('POST', '/api/products', { sku, name: 'Parked at first', priceCents: 700, currency: 'EUR', initialStock: 3 }, {}, 'admin');
    expect(added.status).toBe(201);

    await page.goto(`${host.url}/console/#/operations`);
    await signIn(ADMIN.email, ADMIN.password);
    const parkedRow = page.locator('tr[data-subscriber="inventory.products"]');
    await parkedRow.waitFor({ timeout: 20_000 });
    expect(await parkedRow.innerText()).toContain(`product-${sku}`);
    expect(await parkedRow.innerText()).toContain(`the disk for ${sku} is full`);
    await page.locator('tr[data-projection="inventory.products"] td.number.problem').filter({ hasText: '1' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'operations.png'), fullPage: true });
    expect((await client.request('GET', `/api/products/${sku}`)).status).toBe(404);

    await database.query('DROP TRIGGER refuse_parked_sku ON inventory_read.products');
    await page.getByRole('button', { name: 'Retry inventory.products' }).click();
    await page.getByRole('status').filter({ hasText: 'Asked inventory.products to try 1 parked event again.' }).waitFor();
    await page.getByText('Nothing is parked.').waitFor({ timeout: 20_000 });
    expect(await client.product(sku)).toMatchObject({ sku, priceCents: 700 });
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it('counts the orders placed while it is open, and how their checkouts ended, from the saga counters', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    await page.goto(`${host.url}/console/#/throughput`);
    await signIn(ADMIN.email, ADMIN.password);
    const lastMinutes = (outcome: string) => page.locator(`tr[data-outcome="${outcome}"] td:nth-child(2)`).innerText();
    await page.getByRole('table', { name: 'Checkouts by outcome' }).waitFor();
    // Counted from when the page began reading: nothing yet.
    expect(await lastMinutes('placed')).toBe('0');

    const sku = await client.addProduct(10);
    const placed = await Promise.all([client.placeOrder([{ sku, quantity: 1 }]), client.placeOrder([{ sku, quantity: 2 }]), client.placeOrder([{ sku, quantity: 1 }], 'tok_chargeDeclined')]);
    await Promise.all(placed.map((orderId) => client.settled(orderId)));
    await until(async () => (await page.locator('tr[data-outcome="rejected payment-declined"]').count()) === 1 && (await lastMinutes('rejected payment-declined')) === '1', 15_000);
    await until(async () => (await lastMinutes('confirmed')) === '2', 15_000);
    expect(await lastMinutes('placed')).toBe('3');
    expect(await lastMinutes('rejected')).toBe('1');
    // The rate of the last 10 s shows them too.
    expect(Number(await page.locator('[data-series="placed"] strong').innerText())).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'throughput.png'), fullPage: true });
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it('rebuilds a projection from the page: the orders serve on, and the page says how it went', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    const sku = await client.addProduct(5);
    await client.settled(await client.placeOrder([{ sku, quantity: 1 }]));
    const listed = async () => (await client.request<{ items: { orderId: string; status: string }[] }>('GET', '/api/orders?first=100', undefined, {}, 'admin')).body.items;
    const before = await listed();
    const events = Number((await database.query("SELECT count(*) FROM event_store.events WHERE category = 'order'")).rows[0]!.count);

    await page.goto(`${host.url}/console/#/operations`);
    await signIn(ADMIN.email, ADMIN.password);
    await page.getByRole('button', { name: 'Rebuild order.orders' }).click();
    const done = page.locator('tr[data-projection="order.orders"] [data-rebuild="done"]');
    await done.waitFor({ timeout: 30_000 });
    expect(await done.innerText()).toContain(`: ${events} events`);
    expect(await listed()).toEqual(before);
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it('lists the dead letters, and replays one from the page: taken, it leaves the list; refused again, it stays with the reason', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    // Two listings the order catalog could not take (as under an older contract): one it takes now, one it still refuses.
    const sku = `DLQ-${randomUUID().slice(0, 8).toUpperCase()}`;
    const listing = (data: Record<string, unknown>) => ({
      type: 'inventory.product-listed.v1',
      key: sku,
      data: { sku, name: 'Listed late', currency: 'EUR', ...data },
      metadata: { messageId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
    });
    const insert = async (message: unknown) =>
      (
        await database.query<{ id: string }>(
          "INSERT INTO messaging.dead_letters (consumer, message_id, message_type, message_key, message, error, attempts) VALUES ('order.catalog', $1, 'inventory.product-listed.v1', $2, $3, 'data.priceCents: expected a number', 0) RETURNING id::text",
          [(message as { metadata: { messageId: string } }).metadata.messageId, sku, JSON.stringify(message)],
        )
      ).rows[0]!.id;
    const takes = await insert(listing({ priceCents: 4321 }));
    const refuses = await insert(listing({ priceCents: 'lots' }));
    // The catalog does not know the product yet: an order for it is refused.
    const refused = await client.request<{ message: string[] }>('POST', '/api/orders', { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' });
    expect(refused.status).toBe(400);

    await page.goto(`${host.url}/console/#/dead-letters`);
    await signIn(ADMIN.email, ADMIN.password);
    const row = (id: string) => page.locator(`tr[data-dead-letter="${id}"]`);
    await row(takes).waitFor();
    expect(await row(takes).innerText()).toContain('order.catalog');
    expect(await row(refuses).innerText()).toContain('data.priceCents: expected a number');
    await page.screenshot({ path: join(SCREENSHOTS, 'dead-letters.png'), fullPage: true });

    await page.getByRole('button', { name: `Replay dead letter ${takes}` }).click();
    await page.getByRole('status').filter({ hasText: `Dead letter ${takes} replayed: order.catalog took the inventory.product-listed.v1.` }).waitFor();
    await row(takes).waitFor({ state: 'detached' });
    // The catalog took it: the order is priced from it.
    const orderId = await client.placeOrder([{ sku, quantity: 1 }]);
    expect((await client.request<{ lines: unknown[] }>('GET', `/api/orders/${orderId}`)).body.lines).toEqual([{ sku, quantity: 1, unitPriceCents: 4321 }]);

    await page.getByRole('button', { name: `Replay dead letter ${refuses}` }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(new RegExp(`^The consumer refused dead letter ${refuses} again: .*priceCents`));
    await until(async () => (await row(refuses).locator('td.number').innerText()) === '1', 10_000);
    expect((await database.query('SELECT count(*)::int AS n FROM messaging.dead_letters WHERE id = $1', [refuses])).rows[0]).toEqual({ n: 1 });
    expect(trouble.pageErrors).toEqual([]);
    expect(trouble.foreignRequests).toEqual([]);
    // The refusal is the API's answer (422), shown on the page.
    expect(trouble.consoleErrors).toEqual([expect.stringContaining('422')]);
    await page.close();
  }, 60_000);

  it('goes on live after the host restarts: the host shuts down at once with the page and a long-poll open, and the page reconnects by itself', async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const trouble = watchPage(page, host.url);
    await page.goto(`${host.url}/console/`);
    await signIn(ADMIN.email, ADMIN.password);
    const live = page.getByRole('status').filter({ hasText: /^live$/ });
    await live.waitFor();
    const sku = await client.addProduct(10);
    // An order whose payment never answers, and a request waiting for its outcome.
    const waitingFor = await client.placeOrder([{ sku, quantity: 1 }], 'tok_timeout');
    const waiting = client.request<{ orderId: string; status: string }>('GET', `/api/orders/${waitingFor}?wait=terminal&timeoutMs=30000`);

    // Neither the open feed nor the waiting request holds the host up (the GraphQL server's
    // drain would wait 10 s for them, then cut them off): both end, and the host exits.
    expect(await host.stop('SIGTERM', 10_000)).toEqual({ code: 0, signal: null });
    expect(await waiting).toEqual({ status: 200, body: expect.objectContaining({ orderId: waitingFor, status: 'PENDING' }) });
    await page.getByRole('status').filter({ hasText: 'reconnecting…' }).waitFor({ timeout: 10_000 });
    host = await startHost();
    const orderId = await client.placeOrder([{ sku, quantity: 1 }]);
    await page.locator(`tr[data-order-id="${orderId}"] .status.confirmed`).waitFor({ timeout: 20_000 });
    await live.waitFor();
    // The drop is the page's to ride out: what the browser saw fail was only the feed's request while the host was down.
    expect(trouble.pageErrors).toEqual([]);
    expect(trouble.foreignRequests).toEqual([]);
    await page.close();
  }, 90_000);

  describe('its API', () => {
    it("follows every order's changes as server-sent events, and resumes after a drop from the last event's id, missing nothing", async () => {
      const admin = client.tokenOf('admin');
      const first = followChanges(host.url, admin);
      await until(async () => first.events.some((event) => event.type === 'reset'), 10_000);
      expect(first.events[0]).toMatchObject({ type: 'reset', id: expect.stringMatching(/^\d+\.\d+$/) });
      const sku = await client.addProduct(10);
      const before = await client.placeOrder([{ sku, quantity: 1 }]);
      await until(async () => lastStatusIn(first.events, before) === 'CONFIRMED', 20_000);
      const lastId = first.events.at(-1)!.id;
      first.close();

      // Placed and settled while no one listened.
      const missed = await client.placeOrder([{ sku, quantity: 1 }], 'tok_chargeDeclined');
      await client.settled(missed);
      const resumed = followChanges(host.url, admin, lastId);
      await until(async () => lastStatusIn(resumed.events, missed) === 'REJECTED', 20_000);
      resumed.close();
      expect(resumed.events.map((event) => event.type)).not.toContain('reset');
      expect(lastStatusIn(resumed.events, before)).toBeUndefined();
    }, 60_000);

    it('refuses the feed and the operations endpoints to a customer and to no one, and a Last-Event-ID it did not send', async () => {
      for (const path of ['/api/orders/changes', '/api/admin/projections', '/api/admin/parked-events', '/api/admin/streams/order-x', '/api/admin/correlations/x', '/api/admin/metrics?name=agora_saga_started_total', '/api/admin/dead-letters']) {
        expect(await fetch(`${host.url}${path}`).then((response) => response.status)).toBe(401);
        expect(await client.request('GET', path).then((answer) => answer.status)).toBe(403);
      }
      expect((await client.request('POST', '/api/admin/parked-events/retry', {})).status).toBe(403);
      expect((await client.request('POST', '/api/admin/dead-letters/1/replay')).status).toBe(403);
      expect((await client.request<{ message: string[] }>('POST', '/api/admin/dead-letters/first/replay', undefined, {}, 'admin')).body).toMatchObject({ statusCode: 400, message: ['id must be a dead letter’s id (a positive whole number)'] });
      expect((await client.request<{ message: string }>('POST', '/api/admin/dead-letters/999999/replay', undefined, {}, 'admin')).body).toMatchObject({ statusCode: 404, message: 'There is no dead letter 999999.' });
      const badId = await client.request<{ message: string[] }>('GET', '/api/orders/changes', undefined, { 'last-event-id': 'yesterday' }, 'admin');
      expect(badId).toEqual({ status: 400, body: expect.objectContaining({ message: ['Last-Event-ID must be the id of an event this feed sent (two numbers joined by a dot)'] }) });
    });

    it('reads every event of one story, whatever its stream, in log order, and says which input is wrong', async () => {
      const sku = await client.addProduct(2);
      const orderId = await client.placeOrder([{ sku, quantity: 1 }]);
      await client.settled(orderId);
      type Story = { correlationId: string; events: { streamName: string; revision: number; position: string; type: string; correlationId: string }[]; truncated: boolean };
      const read = (path: string) => client.request<Story>('GET', path, undefined, {}, 'admin');
      const order = (await read(`/api/admin/streams/order-${orderId}`)).body.events;
      const { correlationId } = order[0]!;
      const { customerId } = (await client.request<{ customerId: string }>('GET', `/api/orders/${orderId}`)).body;
      const { status, body } = await read(`/api/admin/correlations/${correlationId}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ correlationId, truncated: false });
      expect(new Set(body.events.map((event) => event.streamName))).toEqual(
        new Set([`order-${orderId}`, `checkout-${orderId}`, `reservation-${orderId}`, `payment-${orderId}`, `product-${sku}`, `pending_orders-${customerId}`]),
      );
      expect(body.events.every((event) => event.correlationId === correlationId)).toBe(true);
      // In log order: the positions rise, and each stream's events come in their own order, as its read gives them.
      const positions = body.events.map((event) => event.position.split('.').map(Number) as [number, number]);
      positions.slice(1).forEach(([commit, prepare], n) => expect(commit - positions[n]![0] || prepare - positions[n]![1]).toBeGreaterThan(0));
      expect(body.events.filter((event) => event.streamName === `order-${orderId}`)).toEqual(order);

      const firstTwo = await read(`/api/admin/correlations/${correlationId}?first=2`);
      expect(firstTwo.body).toEqual({ correlationId, events: body.events.slice(0, 2), truncated: true });
      const unknown = randomUUID();
      expect((await read(`/api/admin/correlations/${unknown}`)).body).toMatchObject({ statusCode: 404, message: `No event carries correlation id ${unknown}.` });
      for (const [path, message] of [
        ['/api/admin/correlations/a%20b', 'id must be a correlation id: a letter or digit, then up to 127 letters, digits, dots, underscores, colons or dashes'],
        [`/api/admin/correlations/${'x'.repeat(129)}`, 'id must be a correlation id: a letter or digit, then up to 127 letters, digits, dots, underscores, colons or dashes'],
        [`/api/admin/correlations/${correlationId}?first=0`, 'first must not be less than 1'],
        [`/api/admin/correlations/${correlationId}?first=1001`, 'first must not be greater than 1000'],
      ] as const) {
        expect((await client.request<{ message: string[] }>('GET', path, undefined, {}, 'admin')).body).toMatchObject({ statusCode: 400, message: [message] });
      }
    });

    it("reads a stream with its events' metadata, and says which input is wrong", async () => {
      const sku = await client.addProduct(2);
      const orderId = await client.placeOrder([{ sku, quantity: 1 }]);
      await client.settled(orderId);
      const { status, body } = await client.request<{ streamName: string; events: { type: string; revision: number; correlationId: string; data: { orderId: string } }[]; nextRevision: number | null }>(
        'GET',
        `/api/admin/streams/order-${orderId}?first=1`,
        undefined,
        {},
        'admin',
      );
      expect(status).toBe(200);
      expect(body).toEqual({ streamName: `order-${orderId}`, events: [expect.objectContaining({ type: 'order.placed.v1', revision: 0, data: expect.objectContaining({ orderId }) })], nextRevision: 1 });
      const rest = await client.request<{ events: { type: string; correlationId: string }[]; nextRevision: number | null }>('GET', `/api/admin/streams/order-${orderId}?from=1`, undefined, {}, 'admin');
      expect(rest.body).toEqual({ streamName: `order-${orderId}`, events: [expect.objectContaining({ type: 'order.confirmed.v1', correlationId: body.events[0]!.correlationId })], nextRevision: null });

      expect((await client.request('GET', `/api/admin/streams/order-${randomUUID()}`, undefined, {}, 'admin')).status).toBe(404);
      const badName = await client.request<{ message: string[] }>('GET', '/api/admin/streams/no%20dash', undefined, {}, 'admin');
      expect(badName).toMatchObject({ status: 400, body: { message: [expect.stringContaining('stream must be a stream name')] } });
      const badFirst = await client.request<{ message: string[] }>('GET', `/api/admin/streams/order-${orderId}?first=5000`, undefined, {}, 'admin');
      expect(badFirst).toMatchObject({ status: 400, body: { message: ['first must not be greater than 1000'] } });
      const hugeFrom = await client.request<{ message: string[] }>('GET', `/api/admin/streams/order-${orderId}?from=1e99`, undefined, {}, 'admin');
      expect(hugeFrom).toMatchObject({ status: 400, body: { message: [`from must not be greater than ${Number.MAX_SAFE_INTEGER}`] } });
      const badRetry = await client.request<{ message: string[] }>('POST', '/api/admin/parked-events/retry', { subscriber: 'a b' }, {}, 'admin');
      expect(badRetry).toMatchObject({ status: 400, body: { message: [expect.stringContaining('subscriber must be')] } });
      const metrics = await client.request<{ name: string; type: string; values: { labels: Record<string, string>; value: number }[] }[]>('GET', '/api/admin/metrics?name=agora_saga_outcomes_total&name=agora_http_request_duration_seconds', undefined, {}, 'admin');
      expect(metrics.status).toBe(200);
      expect(metrics.body.map(({ name, type }) => ({ name, type }))).toEqual([
        { name: 'agora_saga_outcomes_total', type: 'counter' },
        { name: 'agora_http_request_duration_seconds', type: 'histogram' },
      ]);
      expect(metrics.body[0]!.values).toContainEqual({ labels: { saga: 'checkout', outcome: 'confirmed', reason: '' }, value: expect.any(Number) });
      expect(metrics.body[1]!.values).toContainEqual(expect.objectContaining({ metricName: 'agora_http_request_duration_seconds_count' }));
      // Those it keeps of the names asked; none: 404.
      const partly = await client.request<{ name: string }[]>('GET', '/api/admin/metrics?name=agora_nothing_total&name=agora_saga_started_total', undefined, {}, 'admin');
      expect(partly.body.map((metric) => metric.name)).toEqual(['agora_saga_started_total']);
      expect((await client.request<{ message: string }>('GET', '/api/admin/metrics?name=agora_nothing_total', undefined, {}, 'admin')).body).toMatchObject({ statusCode: 404, message: 'This instance keeps no metric agora_nothing_total.' });
      for (const [query, message] of [
        ['', 'name must contain at least 1 elements'],
        ['?name=1st', 'each name must be a metric name (letters, digits, underscores and colons, not starting with a digit)'],
      ] as const) {
        expect((await client.request<{ message: string[] }>('GET', `/api/admin/metrics${query}`, undefined, {}, 'admin')).body).toMatchObject({ statusCode: 400, message: expect.arrayContaining([message]) });
      }
      // One rebuild per schema at a time, whoever runs it: the lock a rebuild takes, held here.
      const holder = await database.connect();
      try {
        await holder.query("SELECT pg_advisory_lock(hashtext('agora.rebuild:order_read'))");
        const refused = await client.request<{ message: string }>('POST', '/api/admin/projections/order.checkouts/rebuild', undefined, {}, 'admin');
        expect(refused).toMatchObject({ status: 409, body: { message: 'A rebuild of a projection of the schema order_read is under way; try again once it has switched.' } });
      } finally {
        await holder.query("SELECT pg_advisory_unlock(hashtext('agora.rebuild:order_read'))");
        holder.release();
      }
      const rebuilding = await client.request<{ state: string }>('POST', '/api/admin/projections/order.checkouts/rebuild', undefined, {}, 'admin');
      expect(rebuilding).toMatchObject({ status: 202, body: { state: 'running' } });
      const unknown = await client.request<{ message: string }>('POST', '/api/admin/projections/order.nothing/rebuild', undefined, {}, 'admin');
      expect(unknown).toMatchObject({ status: 404, body: { message: 'There is no projection order.nothing. Projections: user.users, inventory.products, order.orders, order.checkouts, payment.payments' } });
      await until(async () => (await client.request<{ name: string; rebuild: { state: string } | null }[]>('GET', '/api/admin/projections', undefined, {}, 'admin')).body.find((p) => p.name === 'order.checkouts')?.rebuild?.state === 'done', 20_000);
      const projections = await client.request<{ name: string; checkpoint: string | null; lagEvents: number; parked: number }[]>('GET', '/api/admin/projections', undefined, {}, 'admin');
      expect(projections.body.map((projection) => projection.name)).toEqual(['user.users', 'inventory.products', 'order.orders', 'order.checkouts', 'payment.payments']);
      expect(projections.body[2]).toMatchObject({ checkpoint: expect.stringMatching(/^\d+\.\d+$/), lagEvents: expect.any(Number), parked: 0 });
      expect(projections.body[3]).toMatchObject({ name: 'order.checkouts', rebuild: { state: 'done', fraction: 1, error: null, finishedAt: expect.any(String) } });
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { createTestDatabase, freePort, HostProcess, launchChromium, until, watchPage } from '@agora/testing';
import { ADMIN, ShopClient } from '../checkout/shop-client.js';

/** Where the run leaves a screenshot of each page of the console (git-ignored). */
const SCREENSHOTS = join(process.cwd(), 'test-output', 'console');

/** The operations console at /console, driven in Chromium as an operator uses it. */
describe('the operations console in a browser', () => {
  let host: HostProcess;
  let browser: Browser;
  let page: Page;
  let client: ShopClient;

  beforeAll(async () => {
    // Each started one is kept, so that afterAll stops the host when Chromium cannot start.
    const [started, launched] = await Promise.allSettled([
      HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('console'), LOG_LEVEL: 'warn' } }).then((h) => (host = h)),
      launchChromium().then((b) => (browser = b)),
    ]);
    for (const outcome of [started, launched]) if (outcome.status === 'rejected') throw outcome.reason;
    client = await ShopClient.signIn(host.url);
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 90_000);

  afterAll(async () => {
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
});

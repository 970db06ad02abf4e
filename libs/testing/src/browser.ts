import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run), or the one CHROMIUM_PATH names. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * A headless Chromium driven by Playwright. Nothing in the background reaches out (updates,
 * sync, Google's services): the tests' pages talk to their host alone.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What a page did that a user would not want: errors in its console (CSP violations among them), uncaught errors, requests to other origins. */
export interface PageTrouble {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly foreignRequests: string[];
}

/** Records a page's trouble from now on; `origin` is the one it may load from. */
export function watchPage(page: Page, origin: string): PageTrouble {
  const trouble: PageTrouble = { consoleErrors: [], pageErrors: [], foreignRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => trouble.pageErrors.push(error.message));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) trouble.foreignRequests.push(request.url());
  });
  return trouble;
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, uniqueEmail, type Stack } from './harness.ts';
import { firstEventLine, submitNewApp, submitSignUp } from './walk.ts';

// Issue 18's "done when": a newcomer on a fresh installation, from `/` to their first page
// view on the dashboard. The snippet is copied from the setup page into a page served by a
// site of their own (another port, so another origin), which loads the SDK from the api.

let stack: Stack;
let site: Server | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack({ selfMonitoring: false });
}, 600_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await stack?.stop();
});

/** The newcomer's own website: one page holding the pasted snippet. */
async function serveSite(snippet: string): Promise<string> {
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Newcomer Shop</title>
    ${snippet}
  </head>
  <body><h1>Welcome to the shop</h1></body>
</html>`;
  site = createServer((req, res) => {
    if (req.url === '/shop.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

describe('a newcomer, from / to the first page view on the dashboard', () => {
  it('creates an account and an app, pastes the script tag into a page, and sees it received and on the dashboard', async () => {
    const portal = await stack.browser.newContext({ baseURL: stack.webUrl });
    contexts.push(portal);
    const page = await portal.newPage();

    // From `/`: create an account.
    await page.goto('/');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up$/);
    const orgId = await submitSignUp(
      page,
      { name: 'Nia Newcomer', email: uniqueEmail('nia'), password: 'plum-orchard-Tiger-42' },
      'Newcomer Shop',
    );

    // Create an app: the empty organization points the way; creating lands on the setup page.
    await page.getByRole('link', { name: 'Create your first app' }).click();
    const appId = await submitNewApp(page, 'Newcomer Shop', 'com.newcomer.shop');
    await expect.poll(() => firstEventLine(page).textContent()).toBe('Waiting for your first event…');

    // Copy the <script> snippet, as the page shows it, into the newcomer's own page.
    const snippet = (await page.getByTestId('code-script').textContent())!;
    expect(snippet).toContain(`${stack.apiUrl}/sdk/v1/sightline.js`);
    const siteUrl = await serveSite(snippet);

    // Open it in Chromium: the SDK loads from the api and reports the page view.
    const visitor = await stack.browser.newContext();
    contexts.push(visitor);
    const shop = await visitor.newPage();
    // How the script request ended: a status, or why the browser refused it (a 404 answered
    // with JSON is blocked as an opaque response, so it never shows as a response).
    const fromApi = (url: string) => url.startsWith(`${stack.apiUrl}/sdk/`);
    const sdk = new Promise<string>((resolve) => {
      shop.on('response', (r) => fromApi(r.url()) && resolve(String(r.status())));
      shop.on('requestfailed', (r) => fromApi(r.url()) && resolve(`failed: ${r.failure()?.errorText ?? '?'}`));
      setTimeout(() => resolve('no request within 15 s'), 15_000);
    });
    await shop.goto(`${siteUrl}/shop.html`);
    expect(await sdk, `GET ${stack.apiUrl}/sdk/v1/sightline.js: the api serves the SDK build`).toBe('200');
    await shop.waitForFunction(() => typeof (window as { sightline?: unknown }).sightline === 'object', undefined, {
      timeout: 10_000,
    });
    // The visitor leaves: what the SDK queued goes out as the tab closes (otherwise within a minute).
    await shop.close({ runBeforeUnload: true });

    // The setup page's live check turns to "received".
    await expect
      .poll(() => firstEventLine(page).textContent(), { timeout: 30_000 })
      .toMatch(/^Received — \S+ at \d\d:\d\d:\d\d$/);

    // The page view is on the dashboard, without waiting for the scheduled rollup.
    await page.getByRole('link', { name: 'Open the dashboard' }).click();
    await page.waitForURL(new RegExp(`/o/${orgId}/apps/${appId}/analytics`));
    const screens = page.getByRole('table', { name: 'Top screens and pages' });
    await expect
      .poll(
        async () => {
          await page.reload();
          // The page asks the api after it renders: give its answer a moment to arrive.
          const row = screens.getByRole('row', { name: /\/shop\.html/ });
          await row.waitFor({ timeout: 5_000 }).catch(() => undefined);
          return row.count();
        },
        { timeout: 30_000, interval: 3_000 },
      )
      .toBe(1);
  }, 240_000);
});

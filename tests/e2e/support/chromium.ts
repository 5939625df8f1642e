import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHROMIUM } from '@sightline/core/testing';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Headless Chromium for a test file. Contexts are closed after each test, not when its last
 * tab closes: requests a closing page hands to the browser (keepalive) outlive the page but
 * not the browser profile — as for a real user, who closes tabs, not profiles.
 */
export function chromiumForTests(): { openContext: () => Promise<BrowserContext> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch(CHROMIUM);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    openContext: async () => {
      if (!browser) throw new Error('Chromium is not running (call chromiumForTests at the top level of the file)');
      const context = await browser.newContext();
      contexts.push(context);
      return context;
    },
  };
}

/** A web site for the browser to load, on its own origin (http://127.0.0.1:<port>). */
export async function serveTestSite(handle: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

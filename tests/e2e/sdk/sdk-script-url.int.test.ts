import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@sightline/core/testing';
import { chromiumForTests, serveTestSite } from '../support/chromium.ts';
import { startIngestStack } from '../support/ingest-stack.ts';

// The one-line install: a page on another origin loads the SDK from the api's own URL with
// Subresource Integrity (`<script src=…/sdk/v1/sightline.js integrity=… crossorigin=anonymous>`),
// and the global it defines sends the page view, which the api accepts and the writers store.
// A hash that does not match the bytes makes Chromium refuse the script: nothing is sent.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
const { openContext } = chromiumForTests();
let site: Server;
let siteUrl: string;
let endpoint: string;
let integrity: string;

const page = (title: string, sri: string) => `<!doctype html><html><head><title>${title}</title>
<script src="${endpoint}/sdk/v1/sightline.js" integrity="${sri}" crossorigin="anonymous"
  data-key="${stack.app.ingestKey}" data-endpoint="${endpoint}" data-flush-interval="200"></script>
</head><body><h1>${title}</h1></body></html>`;

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-script-url', { serveSdk: true });
  endpoint = await stack.listen();
  const manifest = (await (await fetch(`${endpoint}/sdk/v1/integrity.json`)).json()) as {
    files: Record<string, { integrity: string }>;
  };
  integrity = manifest.files['sightline.js']!.integrity;
  ({ server: site, url: siteUrl } = await serveTestSite((req, res) => {
    res.setHeader('content-type', 'text/html');
    const tampered = `sha384-${Buffer.alloc(48, 7).toString('base64')}`;
    res.end(req.url === '/tampered' ? page('Tampered', tampered) : page('Pricing', integrity));
  }));
}, 120_000);

afterAll(async () => {
  site?.close();
  await stack?.close();
});

const pageViews = () =>
  stack.deps.prisma.event.findMany({
    where: { appId: stack.app.app.id, type: 'page_view' },
    orderBy: { occurredAt: 'asc' },
  });

describe('the SDK loaded from the api with SRI', () => {
  it('runs on a page of another origin and its page view is accepted (202) and stored', async () => {
    expect(new URL(siteUrl).origin).not.toBe(new URL(endpoint).origin);
    const tab = await (await openContext()).newPage();
    const problems: string[] = [];
    tab.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    const accepted = tab.waitForResponse((r) => r.url() === `${endpoint}/v1/telemetry/events`, { timeout: 20_000 });
    await tab.goto(`${siteUrl}/pricing`);
    expect(await tab.evaluate(() => typeof (window as { Sightline?: unknown }).Sightline)).toBe('object');
    expect((await accepted).status()).toBe(202);
    const [view] = await until(async () => {
      const rows = await pageViews();
      return rows.length > 0 ? rows : undefined;
    }, 20);
    expect(view).toMatchObject({ name: '/pricing' });
    expect(problems).toEqual([]);
  });

  it('is refused by the browser when the integrity hash does not match, and sends nothing', async () => {
    const before = (await pageViews()).length;
    const tab = await (await openContext()).newPage();
    const problems: string[] = [];
    tab.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    await tab.goto(`${siteUrl}/tampered`);
    await tab.waitForLoadState('load');
    expect(await tab.evaluate(() => typeof (window as { Sightline?: unknown }).Sightline)).toBe('undefined');
    expect(problems.join('\n')).toMatch(/integrity/i);
    // A page view would have gone out within the flush interval (200 ms): wait well past it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pageViews()).toHaveLength(before);
  });
});

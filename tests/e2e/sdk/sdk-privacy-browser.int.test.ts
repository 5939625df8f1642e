import type { Server } from 'node:http';
import type { SightlineClient } from '@sightline/sdk';
import type { PrivacyControls } from '@sightline/sdk/browser';
import { buildScripts } from '@sightline/sdk/build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@sightline/core/testing';
import { chromiumForTests, serveTestSite } from '../support/chromium.ts';
import { startIngestStack } from '../support/ingest-stack.ts';

// The privacy controls of the <script> build in headless Chromium, from a page on one origin
// (http://127.0.0.1:<site>) against the api on another (http://localhost:<api>), as on any
// real site: with `requireConsent` (and an app that asks for consent) nothing is collected
// before the user says yes; the yes, an export, an opt-out and a deletion all reach the api
// through the browser's CORS checks, and usage events are stored once the api has the yes.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
const { openContext } = chromiumForTests();
let site: Server;
let siteUrl: string;

type PageWindow = { sightline: SightlineClient; sightlinePrivacy: PrivacyControls };

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-privacy-browser');
  await stack.deps.prisma.app.update({ where: { id: stack.app.app.id }, data: { analyticsOptIn: true } });
  // Another origin than the page's: same machine, other host name and port.
  const endpoint = (await stack.listen()).replace('127.0.0.1', 'localhost');
  const [, vitals] = await buildScripts();
  ({ server: site, url: siteUrl } = await serveTestSite((req, res) => {
    if (req.url === '/sightline.vitals.js') {
      res.setHeader('content-type', 'text/javascript');
      return void res.end(vitals!.code);
    }
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><html><head><title>Shop</title>
<script src="/sightline.vitals.js" data-key="${stack.app.ingestKey}" data-endpoint="${endpoint}" data-require-consent="true" data-debug="true"></script>
</head><body><h1>Shop</h1></body></html>`);
  }));
}, 120_000);

afterAll(async () => {
  site?.close();
  await stack?.close();
});

const named = (name: string) => stack.deps.prisma.event.findMany({ where: { appId: stack.app.app.id, name } });
const requests = (kind: 'EXPORT' | 'DELETE') =>
  stack.deps.prisma.gdprRequest.findMany({ where: { appId: stack.app.app.id, kind } });

describe('@sightline/sdk privacy controls in the browser, across origins', () => {
  it('consent, export, opt-out and deletion reach the api; usage events flow after consent, not before', async () => {
    const context = await openContext();
    const tab = await context.newPage();
    const said: string[] = []; // the page's console (CORS refusals, the SDK's debug), shown on failure
    tab.on('console', (message) => said.push(message.text()));
    const telemetry: string[] = [];
    tab.on('request', (request) => {
      if (request.url().endsWith('/v1/telemetry/events') && request.method() === 'POST') telemetry.push(request.url());
    });
    const explain = (error: Error) => {
      throw new Error(`${error.message}; the page logged: ${said.join(' | ')}`);
    };
    await tab.goto(siteUrl);
    await tab.waitForFunction(() => 'sightlinePrivacy' in window);

    // Before the user says yes: tracked, flushed, and nothing goes out.
    await tab.evaluate(() => {
      const { sightline } = window as unknown as PageWindow;
      sightline.track('feature_used', { feature_name: 'before-consent' });
      return sightline.flush();
    });
    expect(telemetry).toEqual([]);

    // Yes to usage analytics: the api stores the choice and says so.
    const heard = await tab.evaluate(() =>
      (window as unknown as PageWindow).sightlinePrivacy.setConsent({ analytics: true }),
    );
    expect(heard, `setConsent reached the api; the page logged: ${said.join(' | ')}`).toBe(true);
    const device = await stack.deps.prisma.device.findFirstOrThrow({ where: { appId: stack.app.app.id } });
    expect(device).toMatchObject({ analyticsEnabled: true, optedOut: false });
    expect(device.analyticsConsentAt).not.toBeNull();

    // Now usage events flow, from this device.
    await tab.evaluate(() => {
      const { sightline } = window as unknown as PageWindow;
      sightline.track('feature_used', { feature_name: 'after-consent' });
      return sightline.flush();
    });
    const after = await until(
      async () => ((await named('after-consent')).length > 0 ? named('after-consent') : undefined),
      20,
    ).catch(explain);
    expect(after.map((e) => e.deviceId)).toEqual([device.deviceIdHash]);
    expect(await named('before-consent')).toEqual([]);

    // An export: the page gets the api's answer, and the request is recorded for this device.
    const exported = await tab.evaluate(() => (window as unknown as PageWindow).sightlinePrivacy.requestDataExport());
    expect(['scheduled', 'ready']).toContain(exported?.status);
    expect(exported?.download_url).toMatch(/\/v1\/privacy\/exports\//);
    expect((await requests('EXPORT')).map((r) => r.subjectKey)).toEqual([device.deviceIdHash]);

    // Opting out is told to the api.
    await tab.evaluate(() => (window as unknown as PageWindow).sightline.optOut());
    await until(
      async () =>
        (await stack.deps.prisma.device.findUniqueOrThrow({ where: { id: device.id } })).optedOut ? true : undefined,
      20,
    ).catch(explain);

    // Deletion: scheduled by the api for this device.
    const deleted = await tab.evaluate(() => (window as unknown as PageWindow).sightlinePrivacy.requestDataDeletion());
    expect(deleted).toMatchObject({ status: 'scheduled' });
    expect((await requests('DELETE')).map((r) => r.subjectKey)).toEqual([device.deviceIdHash]);
  });
});

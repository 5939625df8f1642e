import type { IncomingMessage, Server } from 'node:http';
import type { Page } from 'playwright-core';
import type { QueuedEvent, SightlineClient } from '@sightline/sdk';
import { buildScripts } from '@sightline/sdk/build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@sightline/core/testing';
import { chromiumForTests, serveTestSite } from '../support/chromium.ts';
import { startIngestStack } from '../support/ingest-stack.ts';

// The browser SDK's <script> build in headless Chromium against the real api and writers:
// page views (SPA navigation included), clicks, an uncaught error, Web Vitals, image load
// times and audio start-up arrive in PostgreSQL; what was queued when the page closed is
// sent; going offline and back loses nothing, and the catch-up goes gzip-compressed.

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A quarter second of silence: 8 kHz, 8-bit mono PCM. */
function wav(seconds = 0.25, rate = 8000): Buffer {
  const samples = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + samples, 128);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  return b;
}

let stack: Awaited<ReturnType<typeof startIngestStack>>;
const { openContext } = chromiumForTests();
let site: Server;
let siteUrl: string;

function page(key: string, endpoint: string): string {
  return `<!doctype html><html><head><title>Shop</title>
<script src="/sightline.vitals.js" data-key="${key}" data-endpoint="${endpoint}" data-app-version="5.0.0" data-debug="true"></script>
</head><body>
<h1>Shop</h1><p>Everything you need, delivered.</p>
<img id="hero" src="/hero.png" width="400" height="200">
<audio id="tone" src="/tone.wav" preload="auto"></audio>
<button id="buy">Buy now</button>
<button id="pay">Pay</button>
<button id="save">Save</button>
<a id="next" href="/checkout">Checkout</a>
<input id="email" value="secret@example.com">
<script>
document.getElementById('buy').addEventListener('click', () => setTimeout(() => { throw new TypeError('cart is undefined'); }, 0));
document.getElementById('pay').addEventListener('click', () => { Promise.reject(new Error('payment declined')); });
document.getElementById('save').addEventListener('click', () => {
  try { throw new RangeError('storage quota exceeded'); } catch (error) { window.sightline.captureError(error); }
});
document.getElementById('next').addEventListener('click', (e) => { e.preventDefault(); document.title = 'Checkout'; history.pushState({}, '', '/checkout'); });
</script></body></html>`;
}

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-browser');
  const endpoint = await stack.listen();
  const [, vitals] = await buildScripts();
  ({ server: site, url: siteUrl } = await serveTestSite((req, res) => {
    if (req.url === '/sightline.vitals.js') {
      res.setHeader('content-type', 'text/javascript');
      return void res.end(vitals!.code);
    }
    if (req.url?.startsWith('/hero.png')) {
      // A slow image, so its load time is visible.
      return void setTimeout(() => {
        res.setHeader('content-type', 'image/png');
        res.end(PNG);
      }, 150);
    }
    if (req.url?.startsWith('/tone.wav')) {
      return void setTimeout(() => {
        res.setHeader('content-type', 'audio/wav');
        res.end(wav());
      }, 150);
    }
    res.setHeader('content-type', 'text/html');
    res.end(page(stack.app.ingestKey, endpoint));
  }));
}, 120_000);

afterAll(async () => {
  site?.close();
  await stack?.close();
});

/** How many events of `type` with all of `data` the page's SDK still holds queued (unsent). */
function queuedInPage(tab: Page, type: string, data: Record<string, unknown>): Promise<number> {
  return tab.evaluate(
    ([type, data]) => {
      const { sightline } = window as unknown as { sightline: Pick<SightlineClient, 'queue'> };
      const queued: QueuedEvent[] = sightline.queue.peek(sightline.queue.size);
      return queued.filter((e) => e.type === type && Object.entries(data).every(([k, v]) => e.data[k] === v)).length;
    },
    [type, data] as const,
  );
}

/** One event sent straight to the api with the app's ingest key (not through the page). */
const ingestMarker = (name: string) =>
  stack.api.inject({
    method: 'POST',
    url: '/v1/telemetry/events',
    headers: { authorization: `Bearer ${stack.app.ingestKey}`, 'content-type': 'application/json' },
    payload: {
      device_id: 'marker-device',
      events: [{ type: 'feature_used', timestamp: Date.now(), data: { feature_name: name } }],
    },
  });

const events = (type: string) =>
  stack.deps.prisma.event.findMany({ where: { appId: stack.app.app.id, type }, orderBy: { occurredAt: 'asc' } });

describe('@sightline/sdk in the browser (script tag)', () => {
  it('reports page views, clicks, an uncaught error, web vitals and image timings; closing the page sends the rest', async () => {
    const context = await openContext();
    const tab = await context.newPage();
    const said: string[] = []; // the SDK's own complaints (debug), shown if something never arrives
    tab.on('console', (message) => said.push(message.text()));
    await tab.goto(siteUrl);
    await tab
      .locator('#hero')
      .evaluate((img: HTMLImageElement) => img.complete || new Promise((r) => (img.onload = r)));
    await tab.waitForFunction(() => document.querySelector('audio')!.readyState >= 2); // its first sample is ready
    await tab.click('#buy'); // throws a moment later: the crash goes out at once
    await tab.click('#email');
    // The crash went out without waiting for the page to close...
    const crash = await until(
      () => stack.deps.prisma.crashReport.findFirst({ where: { appId: stack.app.app.id } }).then((r) => r ?? undefined),
      20,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the page logged: ${said.join(' | ')}`);
    });
    // The send the crash started also takes what was queued before it; once it is done,
    // nothing sends until the page closes or the 60 s timer (waiting for it here keeps a
    // navigation clicked during that send from riding along with it).
    await tab.evaluate(() => (window as unknown as { sightline: Pick<SightlineClient, 'flush'> }).sightline.flush());
    await tab.click('#next'); // an SPA navigation, queued
    // ...while the navigation stays queued in the page: closing it is what sends that.
    expect(await queuedInPage(tab, 'page_view', { path: '/checkout' })).toBe(1);
    await tab.close({ runBeforeUnload: true }); // pagehide: the queue is sent

    // Nothing in the page caught it: a crash of the session, not a handled error.
    expect(crash).toMatchObject({
      crashType: 'TypeError',
      message: 'cart is undefined',
      appVersion: '5.0.0',
      handled: false,
    });
    const views = await until(async () => {
      const rows = await events('page_view');
      return rows.length >= 2 ? rows : undefined;
    }, 20);
    expect(views.map((v) => v.name)).toEqual(['/', '/checkout']);
    expect(views[0]!.browser).toMatch(/Chrom/); // the api enriched it from the User-Agent
    const clicks = await events('click');
    expect(clicks.map((c) => [c.name, (c.data as { text?: string }).text ?? null])).toEqual([
      ['button#buy', 'Buy now'],
      ['input#email', null], // what was clicked, never what was typed
      ['a#next', 'Checkout'],
    ]);
    expect(JSON.stringify(clicks)).not.toContain('secret@example.com');
    const images = (await events('resource_timing')).filter((r) => r.name === 'img');
    expect(images).toHaveLength(1);
    // The address in it is scrubbed by the api like any IP in event data.
    expect((images[0]!.data as { url: string }).url).toMatch(/^http:\/\/\[ip\]:\d+\/hero\.png$/);
    expect(images[0]!.value).toBeGreaterThanOrEqual(140);
    // Media start-up: from the element starting to load to its data being ready.
    const media = await events('media_load');
    expect(media.map((m) => [m.name, (m.data as { url: string }).url.replace(/^.*\//, '')])).toEqual([
      ['audio', 'tone.wav'],
    ]);
    expect(media[0]!.value).toBeGreaterThanOrEqual(140);
    const vitals = new Set((await events('web_vital')).map((v) => v.name));
    expect([...vitals]).toEqual(expect.arrayContaining(['TTFB', 'FCP']));
    expect([...vitals].every((v) => ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'].includes(v!))).toBe(true);
    // One browser, one device and one session for all of it.
    const all = await stack.deps.prisma.event.findMany({ where: { appId: stack.app.app.id } });
    expect(new Set([...all.map((e) => e.deviceId), crash.deviceId]).size).toBe(1);
  });

  it('tells crashes from handled errors: an unhandled rejection is a crash, captureError by hand an error', async () => {
    const context = await openContext();
    const tab = await context.newPage();
    const said: string[] = [];
    tab.on('console', (message) => said.push(message.text()));
    tab.on('pageerror', (error) => said.push(`page error: ${error.message}`));
    await tab.goto(siteUrl);
    await tab.click('#save'); // caught by the page, reported by hand
    await tab.click('#pay'); // a promise rejected with nobody listening
    const reports = await until(async () => {
      const rows = await stack.deps.prisma.crashReport.findMany({
        where: { appId: stack.app.app.id, message: { in: ['storage quota exceeded', 'payment declined'] } },
        orderBy: { message: 'asc' },
      });
      return rows.length === 2 ? rows : undefined;
    }, 20).catch((error: Error) => {
      throw new Error(`${error.message}; the page logged: ${said.join(' | ')}`);
    });
    expect(reports.map((r) => [r.crashType, r.message, r.handled, (r.context as { source?: string }).source])).toEqual([
      ['Error', 'payment declined', false, 'unhandledrejection'],
      ['RangeError', 'storage quota exceeded', true, undefined],
    ]);
    // Same session: the unhandled one marks it crashed (Sentry's crash-free sessions).
    expect(reports[0]!.sessionId).toBe(reports[1]!.sessionId);
    await tab.close({ runBeforeUnload: true }); // its page view goes out: the session row
    const session = await until(
      () =>
        stack.deps.prisma.telemetrySession
          .findFirst({ where: { appId: stack.app.app.id, id: reports[0]!.sessionId! } })
          .then((r) => r ?? undefined),
      20,
    );
    expect(session.crashed).toBe(true);
    await context.close();
  });

  it('keeps what happens offline and sends it, compressed, when the network is back', async () => {
    const context = await openContext();
    const tab = await context.newPage();
    await tab.goto(siteUrl);
    // Every batch of events the api's HTTP server gets (a CORS preflight still gets through
    // Chromium's offline mode: only the POSTs count), and every send the page saw fail.
    const received: string[] = [];
    const countReceived = (req: IncomingMessage) => {
      if (req.method === 'POST' && req.url?.endsWith('/v1/telemetry/events')) received.push(req.url);
    };
    stack.api.server.on('request', countReceived);
    const failed: string[] = [];
    tab.on('requestfailed', (request) => {
      if (request.url().endsWith('/v1/telemetry/events')) failed.push(request.failure()?.errorText ?? '');
    });
    await context.setOffline(true);
    await tab.evaluate(() => {
      // The client the script tag started (window.sightline).
      const { sightline } = window as unknown as { sightline: Pick<SightlineClient, 'track' | 'flush'> };
      for (let i = 0; i < 20; i++)
        sightline.track('feature_used', { feature_name: 'offline-export', step: `step ${i}` });
      return sightline.flush();
    });
    // The flush tried, the network refused, and the twenty wait in the page's queue.
    await expect.poll(() => failed.length).toBeGreaterThan(0);
    expect(failed.every((reason) => reason === 'net::ERR_INTERNET_DISCONNECTED')).toBe(true);
    expect(await queuedInPage(tab, 'feature_used', { feature_name: 'offline-export' })).toBe(20);
    // A marker sent after the flush, and stored: the writers are past anything sent before it.
    expect((await ingestMarker('offline-marker')).statusCode).toBe(202);
    const named = (name: string) => stack.deps.prisma.event.count({ where: { appId: stack.app.app.id, name } });
    await until(async () => ((await named('offline-marker')) === 1 ? true : undefined));
    expect(await named('offline-export')).toBe(0);
    expect(received).toEqual([]);
    stack.api.server.off('request', countReceived);

    // What goes out once the network is back (large enough to be compressed).
    const encodings: Array<string | undefined> = [];
    tab.on('request', (request) => {
      if (request.url().endsWith('/v1/telemetry/events')) encodings.push(request.headers()['content-encoding']);
    });
    await context.setOffline(false);
    await until(async () => ((await named('offline-export')) === 20 ? true : undefined), 20);
    expect(encodings).toContain('gzip'); // CompressionStream, and the api took it
  });
});

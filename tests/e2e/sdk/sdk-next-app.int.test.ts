import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests } from '../support/chromium.ts';
import { startIngestStack } from '../support/ingest-stack.ts';

// @sightline/sdk/next in a real Next.js app (tests/e2e/fixtures/next-app: built with `next build`,
// served by `next start`), driven by headless Chromium against the real api: route changes
// arrive as page views with their route pattern, Web Vitals arrive, an error a client
// component throws is reported by error.tsx's hook, and a server-side error is reported both
// by instrumentation.ts's onRequestError and by the browser's boundary, tied by its digest.

const APP_DIR = fileURLToPath(new URL('../fixtures/next-app/', import.meta.url));
const NEXT_BIN = fileURLToPath(new URL('../../../node_modules/next/dist/bin/next', import.meta.url));

let stack: Awaited<ReturnType<typeof startIngestStack>>;
const { openContext } = chromiumForTests();
let next: ChildProcess | undefined;
let siteUrl: string;
let output = '';

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: APP_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return child;
}

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-next-app');
  const endpoint = await stack.listen();
  const build = run(['build']);
  const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed:\n${output}`);
  const port = await freePort();
  siteUrl = `http://127.0.0.1:${port}`;
  next = run(['start', '-p', String(port), '-H', '127.0.0.1'], {
    SIGHTLINE_KEY: stack.app.ingestKey,
    SIGHTLINE_ENDPOINT: endpoint,
    SIGHTLINE_DEBUG: 'true',
  });
  await until(
    () =>
      fetch(siteUrl).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    60,
  ).catch((error: Error) => {
    throw new Error(`${error.message}: next start did not answer\n${output}`);
  });
}, 180_000);

afterAll(async () => {
  next?.kill('SIGTERM');
  await stack?.close();
});

const events = (type: string) =>
  stack.deps.prisma.event.findMany({ where: { appId: stack.app.app.id, type }, orderBy: { occurredAt: 'asc' } });
const crashes = (message: string) =>
  stack.deps.prisma.crashReport.findMany({ where: { appId: stack.app.app.id, message } });

describe('@sightline/sdk/next in a Next.js app', () => {
  it('reports route changes with their pattern, web vitals, and errors caught by error.tsx', async () => {
    const context = await openContext();
    const tab = await context.newPage();
    const said: string[] = []; // the page's console (the SDK's own complaints), shown on failure
    tab.on('console', (message) => said.push(message.text()));
    await tab.goto(siteUrl);
    await tab.click('#wish'); // enabled once useSightline() has the client
    await tab.click('#product'); // a client-side navigation
    await tab.waitForSelector('text=Product 42');
    await tab.click('#add'); // breaks the basket while rendering
    await tab.waitForSelector('#failed');
    await tab.close({ runBeforeUnload: true }); // what is queued goes as the page closes

    const views = await until(async () => {
      const rows = await events('page_view');
      return rows.length >= 2 ? rows : undefined;
    }, 20).catch(async (error: Error) => {
      const stored = await stack.deps.prisma.event.findMany({ where: { appId: stack.app.app.id } });
      throw new Error(
        `${error.message}; stored: ${stored.map((e) => `${e.type} ${e.name}`).join(', ')}; page: ${said.join(' | ')}`,
      );
    });
    // Grouped by route pattern (dashboards list /shop/[id] once, not every product).
    expect(views.map((v) => v.name)).toEqual(['/', '/shop/[id]']);
    expect(views.map((v) => (v.data as { path: string }).path)).toEqual(['/', '/shop/42']);
    expect((views[1]!.data as { title: string; referrer: string }).title).toBe('Product');
    expect((views[1]!.data as { referrer: string }).referrer).toBe('/');
    const [crash] = await until(async () => {
      const rows = await crashes('basket total out of range');
      return rows.length ? rows : undefined;
    }, 20);
    expect(crash).toMatchObject({ crashType: 'RangeError', appVersion: '2.4.0' });
    expect(crash!.tags).toMatchObject({ boundary: 'next' });
    expect(crash!.context).toMatchObject({ page: '/shop/42' });
    expect((await events('feature_used')).map((e) => e.name)).toEqual(['wishlist']);
    const vitals = new Set((await events('web_vital')).map((v) => v.name));
    expect([...vitals]).toEqual(expect.arrayContaining(['TTFB', 'FCP']));
    // The browser's events and its crash report come from one device.
    const all = await stack.deps.prisma.event.findMany({ where: { appId: stack.app.app.id } });
    expect(new Set([...all.map((e) => e.deviceId), crash!.deviceId]).size).toBe(1);
  });

  it('reports a server-side error from the server and from the browser, tied by its digest', async () => {
    const context = await openContext();
    const tab = await context.newPage();
    await tab.goto(siteUrl);
    await tab.click('#sold-out');
    await tab.waitForSelector('#failed');
    await tab.close({ runBeforeUnload: true });

    // The server's report has the real message and the route; the browser only sees a digest.
    const [server] = await until(async () => {
      const rows = await crashes('product 13 is out of stock');
      return rows.length ? rows : undefined;
    }, 20);
    expect(server!.tags).toMatchObject({ router: 'App Router', route_type: 'render' });
    expect(server!.handled).toBe(false); // nothing in the app caught it: Next.js answered 500
    expect(server!.context).toMatchObject({ route: '/shop/[id]', path: '/shop/13' });
    const digest = (server!.tags as { digest?: string }).digest;
    expect(digest).toMatch(/\S/);
    const browserSide = await until(async () => {
      const rows = await stack.deps.prisma.crashReport.findMany({ where: { appId: stack.app.app.id } });
      return rows.find(
        (r) =>
          (r.tags as { boundary?: string } | null)?.boundary &&
          r.id !== server!.id &&
          (r.tags as { digest?: string }).digest === digest,
      );
    }, 20);
    expect(browserSide.message).not.toContain('out of stock'); // Next.js keeps server messages from the browser
    expect(browserSide.context).toMatchObject({ page: '/shop/13' });
    expect(browserSide.handled).toBe(true); // the error boundary caught it and showed its fallback
  });
});

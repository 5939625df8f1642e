import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runAggregation } from '@sightline/core';
import { seedDemo, type SeedDemoResult } from '@sightline/demo';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.ts';

// The analytics dashboard in headless Chromium on seed-demo's data after the aggregator
// ran: every number it shows is checked against the same figure computed from the raw
// tables in SQL, and each page is saved as a screenshot (tests/e2e/portal/screenshots/).

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const today = Math.floor(Date.now() / DAY) * DAY;
const start = iso(today - 29 * DAY);
const end = iso(today);
const shots = fileURLToPath(new URL('./screenshots/', import.meta.url));

let stack: Stack;
let seeded: SeedDemoResult;
let shop: number;
let page: Page;

const sql = async <T>(text: string, params: unknown[]) => (await stack.deps.pool.query(text, params)).rows as T[];

/** A table's body rows as arrays of cell texts, once it has some (queries load after the page). */
async function tableRows(name: string): Promise<string[][]> {
  // By label, not role: a chart's table sits in a closed <details>, out of the accessibility tree.
  const table = page.locator(`table[aria-label="${name}"]`);
  const read = () =>
    table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const errors = await page.locator('.notice-error').allTextContents();
    if (errors.some((e) => e.trim())) throw new Error(`the page shows an error: ${errors.join(' | ')}`);
    const rows = (await table.count()) > 0 ? await read() : [];
    if (rows.length > 0 || Date.now() > deadline) return rows;
    await page.waitForTimeout(100);
  }
}

async function screenshot(name: string): Promise<void> {
  await mkdir(shots, { recursive: true });
  const path = `${shots}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  expect((await stat(path)).size).toBeGreaterThan(20_000);
}

beforeAll(async () => {
  stack = await startStack();
  seeded = await seedDemo({ prisma: stack.deps.prisma, pool: stack.deps.pool, events: 30_000, days: 30, devices: 400 });
  shop = seeded.apps.find((a) => a.platform === 'WEB')!.id;
  while ((await runAggregation(stack.deps.pool, { limit: 1000 })).hours > 0);
  const context = await stack.browser.newContext({ baseURL: stack.webUrl, viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email', { exact: true }).fill(seeded.owner.email);
  await page.getByLabel('Password', { exact: true }).fill(seeded.owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}/);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe('analytics dashboard', () => {
  it('shows KPIs, daily users, crash-free users and versions that match raw SQL', async () => {
    await page.goto(`/o/${seeded.org.id}/apps/${shop}/analytics?start=${start}&end=${end}`);
    const users = page.getByRole('group', { name: 'Users', exact: true });
    await expect.poll(() => users.locator('.kpi-value').textContent(), { timeout: 15_000 }).not.toBe('—');
    const [truth] = await sql<{ users: number; crashes: number; crashed: number; errors: number }>(
      `SELECT (SELECT count(DISTINCT device_id)::int FROM (
                 SELECT device_id FROM events WHERE app_id = $1 AND occurred_at >= $2 AND occurred_at < $3
                 UNION SELECT device_id FROM crash_reports WHERE app_id = $1 AND NOT handled AND occurred_at >= $2 AND occurred_at < $3) u) AS users,
              (SELECT count(*)::int FROM crash_reports WHERE app_id = $1 AND NOT handled AND occurred_at >= $2 AND occurred_at < $3) AS crashes,
              (SELECT count(DISTINCT device_id)::int FROM crash_reports WHERE app_id = $1 AND NOT handled AND occurred_at >= $2 AND occurred_at < $3) AS crashed,
              (SELECT count(*)::int FROM crash_reports WHERE app_id = $1 AND handled AND occurred_at >= $2 AND occurred_at < $3) AS errors`,
      [shop, new Date(start), new Date(today + DAY)],
    );
    const kpi = async (name: string) =>
      (await page.getByRole('group', { name, exact: true }).locator('.kpi-value').textContent()) ?? '';
    // Users over the range come from a HyperLogLog: within its error (about 1%; 2% allowed).
    expect(Math.abs(Number((await kpi('Users')).replace(/,/g, '')) - truth!.users)).toBeLessThanOrEqual(
      Math.max(2, truth!.users * 0.02),
    );
    expect(await kpi('Crashes')).toBe(truth!.crashes.toLocaleString('en'));
    // The demo shop has both: uncaught errors (crashes) and errors the app caught and reported.
    expect(truth!.crashes).toBeGreaterThan(0);
    expect(truth!.errors).toBeGreaterThan(0);
    expect(await kpi('Errors')).toBe(truth!.errors.toLocaleString('en'));
    const crashFree = Number((await kpi('Crash-free users')).replace('%', ''));
    expect(Math.abs(crashFree - (100 - (100 * truth!.crashed) / truth!.users))).toBeLessThan(0.5);

    const dau = await tableRows('Daily active users');
    const rawDau = await sql<{ day: Date; users: number }>(
      `SELECT date_trunc('day', occurred_at, 'UTC') AS day, count(DISTINCT device_id)::int AS users FROM (
         SELECT occurred_at, device_id FROM events WHERE app_id = $1
         UNION ALL SELECT occurred_at, device_id FROM crash_reports WHERE app_id = $1 AND NOT handled) a
       WHERE occurred_at >= $2 GROUP BY 1`,
      [shop, new Date(start)],
    );
    const byDay = new Map(rawDau.map((r) => [iso(r.day.getTime()), String(r.users)]));
    expect(dau).toHaveLength(30);
    expect(dau.map(([day, n]) => [day, n])).toEqual(dau.map(([day]) => [day, byDay.get(day!) ?? '0']));

    const versions = await tableRows('Version distribution');
    const rawVersions = await sql<{ version: string; device_days: number }>(
      `SELECT version, count(*)::int AS device_days FROM (
         SELECT DISTINCT ON (day, device_id) day, device_id, version FROM (
           SELECT date_trunc('day', occurred_at, 'UTC') AS day, device_id, app_version AS version, occurred_at FROM events
           WHERE app_id = $1 AND occurred_at >= $2
           UNION ALL
           SELECT date_trunc('day', occurred_at, 'UTC'), device_id, app_version, occurred_at FROM crash_reports
           WHERE app_id = $1 AND NOT handled AND occurred_at >= $2) a
         ORDER BY day, device_id, occurred_at DESC) latest GROUP BY version`,
      [shop, new Date(start)],
    );
    expect(new Map(versions.map(([v, n]) => [v, Number(n)]))).toEqual(
      new Map(rawVersions.map((r) => [r.version, r.device_days])),
    );
    expect(await page.locator('.recharts-line-curve').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.recharts-pie-sector').count()).toBe(rawVersions.length);
    await screenshot('analytics');
  });

  it('shows web vitals at p75 within the sketch accuracy of raw percentiles, and the slowest pages', async () => {
    await page.goto(`/o/${seeded.org.id}/apps/${shop}/performance?start=${start}&end=${end}`);
    const vitals = page.getByRole('table', { name: 'Web Vitals', exact: true });
    await expect
      .poll(() => vitals.locator('tbody tr').first().textContent(), { timeout: 15_000 })
      .toMatch(/LCP[\d,]+ ms/);
    const rows = await tableRows('Web Vitals');
    const raw = await sql<{ name: string; p75: number; n: number }>(
      `SELECT name, percentile_disc(0.75) WITHIN GROUP (ORDER BY value) AS p75, count(*)::int AS n FROM events
       WHERE app_id = $1 AND type = 'web_vital' AND occurred_at >= $2 GROUP BY name`,
      [shop, new Date(start)],
    );
    for (const r of raw.filter((v) => ['LCP', 'INP', 'FCP', 'TTFB'].includes(v.name))) {
      const shown = rows.find(([name]) => name === r.name)!;
      expect(Math.abs(Number(shown[1]!.replace(/[^\d.]/g, '')) - r.p75)).toBeLessThanOrEqual(r.p75 * 0.01 + 1);
      expect(Number(shown[5])).toBe(r.n);
    }
    const slow = await tableRows('Slowest pages');
    expect(slow.length).toBeGreaterThan(0);
    const resources = await tableRows('Resource load latency');
    expect(resources.map((r) => r[0])).toEqual(expect.arrayContaining(['img', 'video']));
    await screenshot('performance');
  });

  it('builds a funnel and shows retention cohorts that match raw SQL', async () => {
    await page.goto(`/o/${seeded.org.id}/apps/${shop}/explore?start=${iso(today - 6 * DAY)}&end=${end}`);
    const [top] = await sql<{ name: string }>(
      `SELECT name FROM events WHERE app_id = $1 AND type = 'page_view' AND name <> '/' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
      [shop],
    );
    await page.getByLabel('Steps', { exact: true }).fill(`page_view /\npage_view ${top!.name}`);
    await page.getByRole('button', { name: 'Show funnel' }).click();
    const funnel = await tableRows('Funnel conversion');
    const [first] = await sql<{ n: number }>(
      `SELECT count(DISTINCT device_id)::int AS n FROM events WHERE app_id = $1 AND type = 'page_view' AND name = '/' AND occurred_at >= $2 AND occurred_at < $3`,
      [shop, new Date(today - 6 * DAY), new Date(today + DAY)],
    );
    expect(Number(funnel[0]![1])).toBe(first!.n);
    expect(Number(funnel[1]![1])).toBeLessThanOrEqual(first!.n);

    const cohorts = await tableRows('Retention');
    expect(cohorts.length).toBeGreaterThan(0);
    const [firstWeek] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT device_id FROM device_days WHERE app_id = $1 GROUP BY device_id
         HAVING min(day) >= $2::date AND min(day) < $2::date + 7) f`,
      [shop, new Date(today - 55 * DAY)],
    );
    expect(Number(cohorts[0]![1])).toBe(firstWeek!.n);
    await screenshot('explore');
  });
});

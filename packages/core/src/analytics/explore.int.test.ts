import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgActor } from '../tenancy/members.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import {
  analyticsFeatureAdoption,
  analyticsFunnel,
  analyticsPaths,
  analyticsRetention,
  analyticsSegment,
} from './explore.ts';

// Funnels, paths, segments, retention and adoption on a small data set whose answers
// can be worked out by hand (written next to each expectation).

const DAY = 86_400_000;
const MIN = 60_000;
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let actor: OrgActor;
let other: OrgActor;
let appId: number;
const today = Math.floor(Date.now() / DAY) * DAY;
const t0 = today - 3 * DAY + 10 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const range = { start: iso(today - 6 * DAY), end: iso(today) };

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  const org = await createTestOrg(prisma);
  actor = { orgId: org.org.id, role: 'VIEWER', userId: org.owner.id, audit: { type: 'USER', id: org.owner.id } };
  appId = (await createTestApp(prisma, org.org.id)).app.id;
  const theirs = await createTestOrg(prisma);
  other = {
    orgId: theirs.org.id,
    role: 'OWNER',
    userId: theirs.owner.id,
    audit: { type: 'USER', id: theirs.owner.id },
  };

  const rows: EventRow[] = [];
  const view = (device: string, session: string, at: number, path: string, browser: string, country: string) =>
    rows.push({
      orgId: actor.orgId,
      appId,
      id: randomUUID(),
      occurredAt: at,
      receivedAt: Date.now(),
      type: 'page_view',
      name: path,
      deviceId: device,
      sessionId: session,
      browser,
      country,
    });
  // A: / → /product (1 min) → /cart (2 min) → purchase (2 min). Chrome, DE.
  view('A', 'sA', t0, '/', 'Chrome', 'DE');
  view('A', 'sA', t0 + MIN, '/product', 'Chrome', 'DE');
  view('A', 'sA', t0 + 3 * MIN, '/cart', 'Chrome', 'DE');
  rows.push({
    orgId: actor.orgId,
    appId,
    id: randomUUID(),
    occurredAt: t0 + 5 * MIN,
    receivedAt: Date.now(),
    type: 'purchase',
    deviceId: 'A',
    sessionId: 'sA',
    browser: 'Chrome',
    country: 'DE',
    data: { plan: 'pro' },
  });
  // B: / → /product (2 min) → /cart (8 min), no purchase. Firefox, US.
  view('B', 'sB', t0, '/', 'Firefox', 'US');
  view('B', 'sB', t0 + 2 * MIN, '/product', 'Firefox', 'US');
  view('B', 'sB', t0 + 10 * MIN, '/cart', 'Firefox', 'US');
  // C: / → /search. Chrome, US.
  view('C', 'sC', t0, '/', 'Chrome', 'US');
  view('C', 'sC', t0 + MIN, '/search', 'Chrome', 'US');
  // D: /product before / (the wrong order for the funnel).
  view('D', 'sD', t0, '/product', 'Safari', 'FR');
  view('D', 'sD', t0 + MIN, '/', 'Safari', 'FR');
  // E: / today-3, /product two days later in a new session (outside a 1-day window).
  view('E', 'sE1', t0, '/', 'Safari', 'FR');
  view('E', 'sE2', t0 + 2 * DAY, '/product', 'Safari', 'FR');
  await createEventWriter(pool).write(rows);
  await pool.query(
    `INSERT INTO sessions (org_id, app_id, id, device_id, started_at, duration_ms, screen_count)
     SELECT $1, $2, id, device, $3::timestamptz, duration, screens
     FROM unnest($4::text[], $5::text[], $6::bigint[], $7::int[]) AS t(id, device, duration, screens)`,
    [
      actor.orgId,
      appId,
      new Date(t0),
      ['sA', 'sB', 'sC', 'sD', 'sE1', 'sE2'],
      ['A', 'B', 'C', 'D', 'E', 'E'],
      [300_000, 600_000, 60_000, 120_000, 0, 0],
      [3, 3, 2, 2, 1, 1],
    ],
  );
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('funnels', () => {
  it('counts ordered steps within the window, with conversion, drop-off and median time between steps', async () => {
    const funnel = await analyticsFunnel(prisma, actor, appId, {
      ...range,
      steps: [
        { type: 'page_view', name: '/' },
        { type: 'page_view', name: '/product' },
        { type: 'page_view', name: '/cart' },
        { type: 'purchase' },
      ],
    });
    // Step 1: A B C D E. Step 2: A, B (D's was before, E's outside the day). Step 3: A, B. Step 4: A.
    expect(funnel.steps.map((s) => [s.devices, s.conversion, s.dropOff, s.medianSecondsFromPrevious])).toEqual([
      [5, 100, 0, null],
      [2, 40, 3, 90],
      [2, 40, 0, 300],
      [1, 20, 1, 120],
    ]);
    // A three-day window lets E's second step count.
    const wide = await analyticsFunnel(prisma, actor, appId, {
      ...range,
      windowMinutes: 3 * 1440,
      steps: [
        { type: 'page_view', name: '/' },
        { type: 'page_view', name: '/product' },
      ],
    });
    expect(wide.steps[1]?.devices).toBe(3);
  });

  it('names what is wrong with a funnel', async () => {
    await expect(analyticsFunnel(prisma, actor, appId, { steps: [{ type: 'page_view' }] })).rejects.toThrow(
      /steps a funnel needs at least 2 steps/,
    );
    await expect(
      analyticsFunnel(prisma, actor, appId, {
        start: '2026-01-01',
        end: '2026-11-01',
        steps: [{ type: 'a' }, { type: 'b' }],
      }),
    ).rejects.toThrow(/start must be at most 92 days before end/);
  });
});

describe('paths', () => {
  it('shows where people go after a page and where they came from, per session', async () => {
    const paths = await analyticsPaths(prisma, actor, appId, { ...range, from: '/product' });
    // Next: A and B go to /cart, D to /, E's session ends. Previous: A and B from /, D and E start there.
    expect(paths.next.map((n) => [n.screen, n.count])).toEqual([
      ['/cart', 2],
      ['/', 1],
      [null, 1],
    ]);
    expect(paths.previous.map((n) => [n.screen, n.count])).toEqual([
      ['/', 2],
      [null, 2],
    ]);
  });
});

describe('segments', () => {
  it('sizes a segment and gives its bounce rate, session length, pages per session and conversion', async () => {
    const chrome = await analyticsSegment(prisma, actor, appId, {
      ...range,
      filters: { browser: 'Chrome' },
      conversionEvent: 'purchase',
    });
    // A and C: sessions of 300 s and 60 s with 3 and 2 pages; A purchased.
    expect(chrome).toMatchObject({
      devices: 2,
      shareOfAll: 40,
      sessions: 2,
      bounceRate: 0,
      avgSessionSeconds: 180,
      pagesPerSession: 2.5,
      conversionRate: 50,
    });
    const safari = await analyticsSegment(prisma, actor, appId, { ...range, filters: { browser: 'Safari' } });
    // D and E: three sessions, E's two are single-page.
    expect(safari).toMatchObject({ devices: 2, sessions: 3, bounceRate: 66.67 });
    const pro = await analyticsSegment(prisma, actor, appId, {
      ...range,
      filters: { property: { key: 'plan', value: 'pro' }, country: 'de' },
      conversionEvent: 'page_view',
    });
    // A's purchase carries plan=pro; A's page views do not, and still count as converting.
    expect(pro).toMatchObject({ devices: 1, conversionRate: 100 });
  });
});

describe('retention and adoption from device days and rollups', () => {
  it('groups devices by their first week and counts them in later weeks, on or on-or-after', async () => {
    const start = today - 20 * DAY;
    const days: Array<[string, number]> = [
      ['W', -1], // first seen before the range: in no cohort
      ['W', 2],
      ['X', 0],
      ['X', 8],
      ['X', 15],
      ['Y', 1],
      ['Y', 16],
      ['Z', 7],
      ['Z', 14],
    ];
    await pool.query(
      `INSERT INTO device_days (org_id, app_id, day, device_id) SELECT $1, $2, day, device FROM unnest($3::date[], $4::text[]) AS t(day, device)`,
      [actor.orgId, appId, days.map(([, d]) => new Date(start + d * DAY)), days.map(([device]) => `r-${device}`)],
    );
    const on = await analyticsRetention(prisma, actor, appId, {
      start: iso(start),
      end: iso(start + 20 * DAY),
      periods: 3,
    });
    expect(on.cohorts.map((c) => [c.cohort, c.size, c.retained])).toEqual([
      [iso(start), 2, [2, 1, 2]],
      [iso(start + 7 * DAY), 1, [1, 1, null]],
      [iso(start + 14 * DAY), 0, [0, null, null]],
    ]);
    expect(on.cohorts[0]?.percent).toEqual([100, 50, 100]);
    const after = await analyticsRetention(prisma, actor, appId, {
      start: iso(start),
      end: iso(start + 20 * DAY),
      periods: 3,
      mode: 'on_or_after',
    });
    expect(after.cohorts[0]?.retained).toEqual([2, 2, 2]);
  });

  it('gives each feature its share of active devices and whether it is growing', async () => {
    const start = today - 40 * DAY;
    const rows: Array<[number, string, string, number]> = [];
    for (let d = 0; d < 4; d++) {
      rows.push([d, 'active', '', 10], [d, 'feature', 'export', 2], [d, 'feature', 'dark_mode', d < 2 ? 1 : 3]);
    }
    await pool.query(
      `INSERT INTO rollups_daily (org_id, app_id, day, metric, dimension, unique_devices)
       SELECT $1, $2, day, metric, dimension, devices FROM unnest($3::date[], $4::text[], $5::text[], $6::int[]) AS t(day, metric, dimension, devices)`,
      [
        actor.orgId,
        appId,
        rows.map((r) => new Date(start + r[0] * DAY)),
        rows.map((r) => r[1]),
        rows.map((r) => r[2]),
        rows.map((r) => r[3]),
      ],
    );
    const adoption = await analyticsFeatureAdoption(prisma, actor, appId, {
      start: iso(start),
      end: iso(start + 3 * DAY),
    });
    expect(adoption).toEqual([
      { feature: 'dark_mode', deviceDays: 8, adoption: 20, firstHalf: 10, secondHalf: 30, trend: 'up' },
      { feature: 'export', deviceDays: 8, adoption: 20, firstHalf: 20, secondHalf: 20, trend: 'stable' },
    ]);
  });

  it("answers 404 for another org's app on every question", async () => {
    for (const ask of [
      () => analyticsFunnel(prisma, other, appId, { steps: [{ type: 'a' }, { type: 'b' }] }),
      () => analyticsRetention(prisma, other, appId, {}),
      () => analyticsPaths(prisma, other, appId, { from: '/' }),
      () => analyticsFeatureAdoption(prisma, other, appId, {}),
      () => analyticsSegment(prisma, other, appId, {}),
    ]) {
      await expect(ask()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

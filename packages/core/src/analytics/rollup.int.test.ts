import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter, markDirtyHours, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAndGroupCrashes } from '../crashes/group-crashes.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import { testCrashRecord } from '../testing/crash-record.ts';
import { analyticsPerformance, analyticsSlowest } from './performance.ts';
import { analyticsEventSeries, analyticsOverview, analyticsVersions } from './queries.ts';
import { runAggregation } from './rollup.ts';
import { SKETCH_RELATIVE_ACCURACY } from './sketch.ts';

// Every rollup number against the same figure computed from raw events in SQL, on a data
// set with late and out-of-order events, and the aggregator run again and again.

const DAY = 86_400_000;
const HOUR = 3_600_000;
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let actor: OrgActor;
let other: OrgActor;
let appId: number;
const today = Math.floor(Date.now() / DAY) * DAY;
const start = today - 6 * DAY;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
}
const random = lcg(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

/** Events of `devices` devices over the hours given: starts, screens, vitals with pages, requests, counters. */
function events(hours: number[], devices: number): EventRow[] {
  const rows: EventRow[] = [];
  for (const hour of hours) {
    for (let d = 0; d < devices; d++) {
      if (random() < 0.4) continue;
      const device = `device-${d}`;
      const base = {
        orgId: actor.orgId,
        appId,
        deviceId: device,
        receivedAt: Date.now(),
        appVersion: d % 3 === 0 ? '1.0.0' : hour > today - 3 * DAY ? '1.1.0' : '1.0.5',
        os: d % 2 ? 'iOS' : 'Android',
        browser: d % 4 === 0 ? 'Chrome' : null,
        country: pick(['DE', 'US', 'FR']),
        deviceModel: pick(['Pixel 8', 'iPhone15,2']),
      };
      const at = () => hour + Math.floor(random() * HOUR);
      rows.push({ ...base, id: randomUUID(), occurredAt: at(), type: 'app_start' });
      for (let i = 0; i < 1 + Math.floor(random() * 3); i++)
        rows.push({
          ...base,
          id: randomUUID(),
          occurredAt: at(),
          type: 'screen_view',
          name: pick(['home', 'cart', 'pay']),
        });
      const page = pick(['/', '/checkout', '/search']);
      const lcp = 800 + random() * 4000 + (page === '/checkout' ? 1500 : 0);
      rows.push({
        ...base,
        id: randomUUID(),
        occurredAt: at(),
        type: 'web_vital',
        name: 'LCP',
        value: lcp,
        data: { name: 'LCP', value: lcp, page },
      });
      rows.push({
        ...base,
        id: randomUUID(),
        occurredAt: at(),
        type: 'http_request',
        name: '/api/cart',
        value: random() * 300,
      });
      rows.push({
        ...base,
        id: randomUUID(),
        occurredAt: at(),
        type: 'counter',
        name: 'orders',
        value: 1 + Math.floor(random() * 3),
      });
    }
  }
  return rows;
}

async function crashes(at: number[], version: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const records = at.map((t, i) =>
      testCrashRecord(
        { orgId: actor.orgId, appId },
        {
          occurredAt: t,
          deviceId: `device-${(i * 7) % 40}`,
          appVersion: version,
          level: i % 5 === 4 ? 'error' : 'fatal',
        },
      ),
    );
    await storeAndGroupCrashes(client, records);
    await markDirtyHours(client, records);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const hoursOf = (dayMs: number, every = 5) => Array.from({ length: 24 / every }, (_, i) => dayMs + i * every * HOUR);
const raw = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
  (await pool.query<T>(sql, params)).rows;

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

  const writer = createEventWriter(pool);
  for (let d = 0; d < 7; d++) await writer.write(events(hoursOf(start + d * DAY), 40));
  await crashes(
    [
      start + 2 * DAY + 3 * HOUR,
      start + 2 * DAY + 4 * HOUR,
      start + 5 * DAY + HOUR,
      start + 5 * DAY + 2 * HOUR,
      start + 5 * DAY + 9 * HOUR,
    ],
    '1.0.5',
  );
  // Sessions as the session writer keeps them.
  await pool.query(
    `INSERT INTO sessions (org_id, app_id, id, device_id, started_at, ended_at, duration_ms, event_count, screen_count, crashed)
     SELECT $1, $2, 's' || g, 'device-' || (g % 40), $3::timestamptz + (g * interval '47 minutes'),
       $3::timestamptz + (g * interval '47 minutes') + (g % 9) * interval '1 minute', (g % 9) * 60000, 5, g % 4, g % 13 = 0
     FROM generate_series(0, 199) AS g`,
    [actor.orgId, appId, new Date(start)],
  );
  await runAggregation(pool);
  // Late and out-of-order: events for days already rolled up, a crash in an old hour.
  await writer.write(events([start + 1 * DAY + 7 * HOUR, start + 3 * DAY + 22 * HOUR], 55).reverse());
  await crashes([start + 1 * DAY + 8 * HOUR], '1.0.0');
  const second = await runAggregation(pool);
  expect(second.hours).toBe(2 + 1);
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('rollups against raw events', () => {
  it('counts active devices, events by type and unique devices per day exactly', async () => {
    const truth = await raw<{ day: Date; type: string; n: string; devices: number }>(
      `SELECT date_trunc('day', occurred_at, 'UTC') AS day, type, count(*) AS n, count(DISTINCT device_id)::int AS devices
       FROM events WHERE org_id = $1 AND app_id = $2 GROUP BY 1, 2`,
      [actor.orgId, appId],
    );
    const rolled = await raw<{ day: Date; dimension: string; count: string; unique_devices: number }>(
      `SELECT day, dimension, count, unique_devices FROM rollups_daily WHERE org_id = $1 AND app_id = $2 AND metric = 'events'`,
      [actor.orgId, appId],
    );
    const key = (d: Date, t: string) => `${iso(d.getTime())}|${t}`;
    expect(new Map(rolled.map((r) => [key(r.day, r.dimension), [Number(r.count), r.unique_devices]]))).toEqual(
      new Map(truth.map((r) => [key(r.day, r.type), [Number(r.n), r.devices]])),
    );

    const dau = await raw<{ day: Date; devices: number }>(
      `SELECT date_trunc('day', occurred_at, 'UTC') AS day, count(DISTINCT device_id)::int AS devices FROM (
         SELECT occurred_at, device_id FROM events WHERE org_id = $1 AND app_id = $2
         UNION ALL SELECT occurred_at, device_id FROM crash_reports WHERE org_id = $1 AND app_id = $2 AND NOT handled) a
       GROUP BY 1 ORDER BY 1`,
      [actor.orgId, appId],
    );
    const series = await analyticsEventSeries(prisma, actor, appId, { start: iso(start), end: iso(today) });
    expect(series.data.map((d) => [d.date, d.uniqueDevices]).filter(([, n]) => n !== 0)).toEqual(
      dau.map((d) => [iso(d.day.getTime()), d.devices]),
    );
    const starts = await analyticsEventSeries(prisma, actor, appId, {
      start: iso(start),
      end: iso(today),
      eventType: 'app_start',
    });
    expect(starts.data.reduce((s, d) => s + d.count, 0)).toBe(
      Number(
        (
          await raw<{ n: string }>(`SELECT count(*) AS n FROM events WHERE app_id = $1 AND type = 'app_start'`, [appId])
        )[0]!.n,
      ),
    );
  });

  it('gives hourly series with exact counts and devices per hour, every hour present', async () => {
    const day = start + 3 * DAY;
    const truth = await raw<{ hour: Date; n: string; devices: number }>(
      `SELECT date_trunc('hour', occurred_at) AS hour, count(*) AS n, count(DISTINCT device_id)::int AS devices
       FROM events WHERE app_id = $1 AND type = 'screen_view' AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1`,
      [appId, new Date(day), new Date(day + DAY)],
    );
    const series = await analyticsEventSeries(prisma, actor, appId, {
      start: iso(day),
      end: iso(day),
      eventType: 'screen_view',
      interval: 'hour',
    });
    expect(series.data).toHaveLength(24);
    const byHour = new Map(truth.map((t) => [t.hour.toISOString(), [Number(t.n), t.devices]]));
    expect(series.data.map((d) => [d.date, d.count, d.uniqueDevices])).toEqual(
      series.data.map((d) => [d.date, ...(byHour.get(d.date) ?? [0, 0])]),
    );
    await expect(
      analyticsEventSeries(prisma, actor, appId, { start: iso(start - 20 * DAY), end: iso(today), interval: 'hour' }),
    ).rejects.toThrow(/hourly series spans at most 14 days/);
  });

  it('gives percentiles within the sketch accuracy of the exact values, per metric and per page', async () => {
    const truth = await raw<{ p75: number; p95: number }>(
      `SELECT percentile_disc(0.75) WITHIN GROUP (ORDER BY value) AS p75, percentile_disc(0.95) WITHIN GROUP (ORDER BY value) AS p95
       FROM events WHERE org_id = $1 AND app_id = $2 AND type = 'web_vital' AND name = 'LCP'`,
      [actor.orgId, appId],
    );
    const perf = await analyticsPerformance(prisma, actor, appId, {
      start: iso(start),
      end: iso(today),
      eventType: 'web_vital',
      name: 'LCP',
    });
    expect(Math.abs(perf.overall.p75! - truth[0]!.p75)).toBeLessThanOrEqual(truth[0]!.p75 * SKETCH_RELATIVE_ACCURACY);
    expect(Math.abs(perf.overall.p95! - truth[0]!.p95)).toBeLessThanOrEqual(truth[0]!.p95 * SKETCH_RELATIVE_ACCURACY);

    const pages = await raw<{ page: string; p75: number; n: string }>(
      `SELECT data->>'page' AS page, percentile_disc(0.75) WITHIN GROUP (ORDER BY value) AS p75, count(*) AS n
       FROM events WHERE org_id = $1 AND app_id = $2 AND type = 'web_vital' AND name = 'LCP' GROUP BY 1 ORDER BY 2 DESC`,
      [actor.orgId, appId],
    );
    const slow = await analyticsSlowest(prisma, actor, appId, {
      start: iso(start),
      end: iso(today),
      eventType: 'web_vital',
      name: 'LCP',
    });
    expect(slow.map((p) => [p.name, p.count])).toEqual(pages.map((p) => [p.page, Number(p.n)]));
    slow.forEach((p, i) =>
      expect(Math.abs(p.p75! - pages[i]!.p75)).toBeLessThanOrEqual(pages[i]!.p75 * SKETCH_RELATIVE_ACCURACY),
    );
  });

  it('reports crashes, crash-free users and sessions as the raw tables say', async () => {
    const overview = await analyticsOverview(prisma, actor, appId, { start: iso(start), end: iso(today) });
    const [c] = await raw<{ fatal: string; crashed: number; users: number; events: string }>(
      `SELECT (SELECT count(*) FROM crash_reports WHERE app_id = $1 AND NOT handled) AS fatal,
         (SELECT count(DISTINCT device_id)::int FROM crash_reports WHERE app_id = $1 AND NOT handled) AS crashed,
         (SELECT count(DISTINCT device_id)::int FROM (SELECT device_id FROM events WHERE app_id = $1
            UNION SELECT device_id FROM crash_reports WHERE app_id = $1 AND NOT handled) u) AS users,
         (SELECT count(*) FROM events WHERE app_id = $1) AS events`,
      [appId],
    );
    expect(overview.crashes).toBe(Number(c!.fatal));
    expect(overview.events).toBe(Number(c!.events));
    expect(overview.users).toBe(c!.users); // 55 devices: HyperLogLog's linear counting is exact this small
    expect(overview.crashFreeUsers).toBeCloseTo(100 - (100 * c!.crashed) / c!.users, 2);
    const [s] = await raw<{ n: string; avg: number; bounced: string; crashed: string }>(
      `SELECT count(*) AS n, avg(duration_ms) / 1000 AS avg, count(*) FILTER (WHERE screen_count <= 1) AS bounced,
         count(*) FILTER (WHERE crashed) AS crashed FROM sessions WHERE app_id = $1 AND started_at >= $2 AND started_at < $3`,
      [appId, new Date(start), new Date(today + DAY)],
    );
    expect(overview.sessions).toBe(Number(s!.n));
    expect(overview.avgSessionSeconds).toBeCloseTo(s!.avg, 1);
    expect(overview.bounceRate).toBeCloseTo((100 * Number(s!.bounced)) / Number(s!.n), 2);
    expect(overview.crashFreeSessions).toBeCloseTo(100 - (100 * Number(s!.crashed)) / Number(s!.n), 2);
    expect(overview.previous.events).toBe(0);
    expect(overview.change.events).toBeNull();
  });

  it('splits devices and crashes by version, each device counted once a day with its latest version', async () => {
    const truth = await raw<{ version: string; device_days: number }>(
      `SELECT version, count(*)::int AS device_days FROM (
         SELECT DISTINCT ON (day, device_id) day, device_id, version FROM (
           SELECT date_trunc('day', occurred_at, 'UTC') AS day, device_id, app_version AS version, occurred_at FROM events WHERE app_id = $1
           UNION ALL
           SELECT date_trunc('day', occurred_at, 'UTC'), device_id, app_version, occurred_at FROM crash_reports WHERE app_id = $1 AND NOT handled
         ) a ORDER BY day, device_id, occurred_at DESC) latest
       GROUP BY version`,
      [appId],
    );
    const versions = await analyticsVersions(prisma, actor, appId, { start: iso(start), end: iso(today) });
    expect(new Map(versions.map((v) => [v.version, v.deviceDays]))).toEqual(
      new Map(truth.map((t) => [t.version, t.device_days])),
    );
    const v105 = versions.find((v) => v.version === '1.0.5')!;
    const [r] = await raw<{ crashes: string; starts: string }>(
      `SELECT (SELECT count(*) FROM crash_reports WHERE app_id = $1 AND app_version = '1.0.5' AND NOT handled) AS crashes,
         (SELECT count(*) FROM events WHERE app_id = $1 AND app_version = '1.0.5' AND type = 'app_start') AS starts`,
      [appId],
    );
    expect(v105.crashes).toBe(Number(r!.crashes));
    expect(v105.starts).toBe(Number(r!.starts));
    expect(v105.crashRate).toBeCloseTo((100 * Number(r!.crashes)) / Number(r!.starts), 2);
  });

  it('gives the same rows when run again, and nothing is left marked', async () => {
    const snapshot = () =>
      raw(
        `SELECT day, metric, dimension, count, sum, min, max, unique_devices, md5(sketch) AS sketch FROM rollups_daily
           WHERE app_id = $1 ORDER BY day, metric, dimension`,
        [appId],
      );
    const before = await snapshot();
    expect(await raw('SELECT * FROM rollup_dirty_hours WHERE app_id = $1', [appId])).toEqual([]);
    await pool.query(
      `INSERT INTO rollup_dirty_hours (org_id, app_id, hour) SELECT DISTINCT org_id, app_id, bucket FROM rollups_hourly WHERE app_id = $1`,
      [appId],
    );
    await runAggregation(pool, { limit: 10_000 });
    expect(await snapshot()).toEqual(before);
  });

  it('lets an hour being written settle before rolling it up, then again after more writes', async () => {
    const writer = createEventWriter(pool);
    const hour = start + 6 * DAY + 5 * HOUR;
    const marked = () =>
      raw<{ n: number }>('SELECT count(*)::int AS n FROM rollup_dirty_hours WHERE app_id = $1', [appId]).then(
        (r) => r[0]!.n,
      );
    await writer.write(events([hour], 3));
    expect(await marked()).toBe(1);
    expect((await runAggregation(pool, { settleMs: 60_000 })).hours).toBe(0); // just written: not yet
    await pool.query(`UPDATE rollup_dirty_hours SET first_marked_at = now() - interval '2 minutes' WHERE app_id = $1`, [
      appId,
    ]);
    // More events keep arriving: the hour keeps its place in line, and is rolled up once settled.
    await writer.write(events([hour + 60_000], 3));
    expect((await runAggregation(pool, { settleMs: 60_000 })).hours).toBe(1);
    expect(await marked()).toBe(0);
    await writer.write(events([hour + 120_000], 3));
    expect((await runAggregation(pool, { settleMs: 60_000 })).hours).toBe(0); // dirty again: settles afresh
    expect((await runAggregation(pool)).hours).toBe(1);
  });

  it('rolls up values that only differ by event type or by empty versus missing, and caps long names', async () => {
    const edge = (await createTestApp(prisma, actor.orgId)).app.id;
    const hour = today - DAY + 5 * HOUR;
    const longPath = `/${'页'.repeat(1500)}`;
    const base = { orgId: actor.orgId, appId: edge, receivedAt: Date.now(), occurredAt: hour + 1000 };
    await createEventWriter(pool).write([
      { ...base, id: randomUUID(), type: 'screen_view', name: 'home', deviceId: 'a', appVersion: '' },
      { ...base, id: randomUUID(), type: 'page_view', name: 'home', deviceId: 'b', appVersion: null },
      { ...base, id: randomUUID(), type: 'page_view', name: longPath, deviceId: 'a', os: '' },
      {
        ...base,
        id: randomUUID(),
        type: 'web_vital',
        name: 'LCP',
        value: 900,
        deviceId: 'a',
        data: { page: longPath },
      },
    ]);
    const result = await runAggregation(pool);
    expect(result.failed).toEqual([]);
    const screens = await raw<{ dimension: string; count: string; unique_devices: number }>(
      `SELECT dimension, count, unique_devices FROM rollups_daily WHERE app_id = $1 AND metric = 'screen' ORDER BY count DESC`,
      [edge],
    );
    expect(screens[0]).toMatchObject({ dimension: 'home', count: '2', unique_devices: 2 });
    expect(screens[1]!.dimension).toHaveLength(300);
    const versions = await raw<{ dimension: string; unique_devices: number }>(
      `SELECT dimension, unique_devices FROM rollups_daily WHERE app_id = $1 AND metric = 'version'`,
      [edge],
    );
    expect(versions).toEqual([{ dimension: '', unique_devices: 2 }]);
  });

  it('takes a crash reported after its raw events expired into the crash figures, keeping the rest', async () => {
    // No events partition for that day any more; its device records (kept two years) are
    // the truth for active devices, and here hold only the crashed one.
    const old = today - 40 * DAY;
    await pool.query(
      `INSERT INTO rollups_daily (org_id, app_id, day, metric, dimension, count, unique_devices)
       VALUES ($1, $2, $3::date, 'events', 'app_start', 12, 5), ($1, $2, $3::date, 'active', '', 30, 5)`,
      [actor.orgId, appId, iso(old)],
    );
    await crashes([old + 3 * HOUR], '0.9.0');
    const result = await runAggregation(pool);
    expect(result.failed).toEqual([]);
    const rows = await raw<{ metric: string; dimension: string; count: string; unique_devices: number }>(
      `SELECT metric, dimension, count, unique_devices FROM rollups_daily WHERE app_id = $1 AND day = $2::date ORDER BY metric, dimension`,
      [appId, iso(old)],
    );
    expect(rows).toEqual([
      { metric: 'active', dimension: '', count: '30', unique_devices: 1 },
      { metric: 'crashes', dimension: '', count: '1', unique_devices: 1 },
      { metric: 'crashes:version', dimension: '0.9.0', count: '1', unique_devices: 1 },
      { metric: 'events', dimension: 'app_start', count: '12', unique_devices: 5 },
    ]);
  });

  it('answers 404 for another org, and 400 for a bad range', async () => {
    await expect(analyticsOverview(prisma, other, appId, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(analyticsOverview(prisma, actor, appId, { start: '2026-02-30' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(analyticsOverview(prisma, actor, appId, { start: iso(today), end: iso(start) })).rejects.toThrow(
      /start must not be after end/,
    );
  });
});

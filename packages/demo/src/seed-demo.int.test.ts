import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CRASHES, CALCULATOR_CRASHES, SHOP_CRASHES } from './crash-catalog.ts';
import { seedDemo, type SeedDemoResult } from './index.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let seeded: SeedDemoResult;
const progress: string[] = [];
const now = new Date('2026-11-20T12:00:00Z');
const DAYS = 7;

async function one<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T> {
  return (await pool.query<T>(sql, params)).rows[0]!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  pool = createPool({ connectionString: db.url, max: 4 });
  seeded = await seedDemo({
    prisma,
    pool,
    events: 20_000,
    days: DAYS,
    devices: 200,
    now,
    onProgress: (line) => progress.push(line),
  });
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('seed-demo', () => {
  it('reports exactly what it stored, with working credentials for three apps', async () => {
    const org = seeded.org.id;
    const counts = await one<{ events: string; sessions: string; devices: string; reports: string; groups: string }>(
      `SELECT (SELECT count(*) FROM events WHERE org_id = $1) AS events, (SELECT count(*) FROM sessions WHERE org_id = $1) AS sessions,
              (SELECT count(*) FROM devices WHERE org_id = $1) AS devices, (SELECT count(*) FROM crash_reports WHERE org_id = $1) AS reports,
              (SELECT count(*) FROM crash_groups WHERE org_id = $1) AS groups`,
      [org],
    );
    expect(counts).toEqual({
      events: String(seeded.counts.events),
      sessions: String(seeded.counts.sessions),
      devices: String(seeded.counts.devices),
      reports: String(seeded.counts.crashReports),
      groups: String(seeded.counts.crashGroups),
    });
    expect(seeded.counts.events).toBeGreaterThan(17_000);
    expect(seeded.counts.events).toBeLessThan(23_000);
    expect(seeded.counts.devices).toBeGreaterThan(100);
    expect(seeded.apiKey).toMatch(/^sk_/);
    expect(seeded.owner.email).toMatch(/^demo\+\w+@sightline\.local$/);
    expect(seeded.apps.map((a) => a.platform).sort()).toEqual(['LUA', 'NODE', 'WEB']);
    for (const app of seeded.apps) expect(app.ingestKey).toMatch(/^pk_[A-Za-z0-9]+$/);
    expect(progress.filter((line) => line.startsWith('events ')).length).toBeGreaterThanOrEqual(5);
  });

  it('spreads events over the requested days, only for its own apps, across several versions', async () => {
    const span = await one<{ first: Date; last: Date; foreign: string; versions: string; late: string }>(
      `SELECT min(occurred_at) AS first, max(occurred_at) AS last, count(*) FILTER (WHERE received_at > $3) AS late,
              count(*) FILTER (WHERE app_id <> ALL($2::int[])) AS foreign, count(DISTINCT app_version) AS versions
         FROM events WHERE org_id = $1`,
      [seeded.org.id, seeded.apps.map((a) => a.id), now],
    );
    expect(span.first.getTime()).toBeGreaterThanOrEqual(now.getTime() - DAYS * 86_400_000);
    expect(span.last.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(span.last.getTime() - span.first.getTime()).toBeGreaterThan((DAYS - 1) * 86_400_000);
    expect(span.late).toBe('0');
    expect(span.foreign).toBe('0');
    expect(Number(span.versions)).toBeGreaterThanOrEqual(8);
  });

  it('rolls new versions out over the window: the oldest version is gone by the end', async () => {
    const { rows } = await pool.query<{ version: string; first: Date; last: Date }>(
      `SELECT app_version AS version, min(occurred_at) AS first, max(occurred_at) AS last
         FROM events WHERE org_id = $1 AND app_id = $2 GROUP BY 1 ORDER BY 1`,
      [seeded.org.id, seeded.apps.find((a) => a.platform === 'WEB')!.id],
    );
    const oldest = rows[0]!;
    const newest = rows.at(-1)!;
    expect(oldest.last.getTime()).toBeLessThan(newest.first.getTime() + 86_400_000);
    expect(newest.first.getTime()).toBeGreaterThan(now.getTime() - DAYS * 86_400_000 + 86_400_000);
  });

  it('has loyal devices and one-off visitors, so retention means something', async () => {
    const { rows } = await pool.query<{ days: number }>(
      `SELECT count(DISTINCT date_trunc('day', started_at))::int AS days FROM sessions WHERE org_id = $1 GROUP BY app_id, device_id ORDER BY 1`,
      [seeded.org.id],
    );
    const days = rows.map((r) => r.days);
    expect(days[Math.floor(days.length / 2)]).toBeLessThanOrEqual(2);
    expect(days.at(-1)).toBeGreaterThanOrEqual(5);
  });

  it('keeps sessions consistent with their events', async () => {
    const totals = await one<{ counted: string; stored: string; bad: string }>(
      `SELECT (SELECT sum(event_count) FROM sessions WHERE org_id = $1) AS counted,
              (SELECT count(*) FROM events WHERE org_id = $1 AND session_id IS NOT NULL) AS stored,
              (SELECT count(*) FROM sessions WHERE org_id = $1 AND (ended_at < started_at OR duration_ms <= 0)) AS bad`,
      [seeded.org.id],
    );
    expect(totals.counted).toBe(totals.stored);
    expect(totals.bad).toBe('0');
  });

  it('records every web vital with its value both in value and in data', async () => {
    const { rows } = await pool.query<{ name: string; n: string; mismatched: string }>(
      `SELECT name, count(*) AS n, count(*) FILTER (WHERE value IS DISTINCT FROM (data->>'value')::float8) AS mismatched
         FROM events WHERE org_id = $1 AND type = 'web_vital' GROUP BY name ORDER BY name`,
      [seeded.org.id],
    );
    expect(rows.map((r) => r.name)).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    for (const row of rows) expect(row.mismatched).toBe('0');
  });

  it('keeps crash groups consistent with their reports and with the crash events analytics sees', async () => {
    const org = seeded.org.id;
    const mismatched = await one<{ n: string }>(
      `SELECT count(*) AS n FROM crash_groups g
        WHERE g.org_id = $1 AND (g.occurrence_count <> (SELECT count(*) FROM crash_reports r WHERE r.group_id = g.id)
           OR g.affected_device_count <> (SELECT count(DISTINCT device_id) FROM crash_reports r WHERE r.group_id = g.id)
           OR g.first_seen_at <> (SELECT min(occurred_at) FROM crash_reports r WHERE r.group_id = g.id)
           OR g.unhandled_count <> (SELECT count(*) FROM crash_reports r WHERE r.group_id = g.id AND NOT r.handled))`,
      [org],
    );
    expect(mismatched.n).toBe('0');
    // Crash events stand for the crashes (unhandled); a handled error is no crash event.
    const { rows } = await pool.query<{ app_id: number; reports: string; events: string }>(
      `SELECT a.id AS app_id, (SELECT count(*) FROM crash_reports r WHERE r.app_id = a.id AND NOT r.handled) AS reports,
              (SELECT count(*) FROM events e WHERE e.org_id = $1 AND e.app_id = a.id AND e.type IN ('app_crash', 'lua_error')) AS events
         FROM apps a WHERE a.org_id = $1`,
      [org],
    );
    for (const row of rows) expect(row.events).toBe(row.reports);
    const statuses = await pool.query<{ status: string }>(
      'SELECT DISTINCT status::text FROM crash_groups WHERE org_id = $1',
      [org],
    );
    expect(statuses.rows.map((r) => r.status).sort()).toEqual(['ignored', 'open', 'resolved']);
  });

  it('mixes crashes and handled errors: the shop and the API have both, every Lua error is a crash', async () => {
    const kinds = (list: ReadonlyArray<{ handled: boolean }>) => [...new Set(list.map((k) => k.handled))].sort();
    expect(kinds(SHOP_CRASHES)).toEqual([false, true]);
    expect(kinds(API_CRASHES)).toEqual([false, true]);
    expect(kinds(CALCULATOR_CRASHES)).toEqual([false]);
    const { rows } = await pool.query<{ platform: string; crashes: number; errors: number }>(
      `SELECT a.platform::text AS platform,
              (SELECT count(*)::int FROM crash_reports r WHERE r.app_id = a.id AND NOT r.handled) AS crashes,
              (SELECT count(*)::int FROM crash_reports r WHERE r.app_id = a.id AND r.handled) AS errors
         FROM apps a WHERE a.org_id = $1 ORDER BY 1`,
      [seeded.org.id],
    );
    // This small demo has few reports; across its apps it has both kinds, and Lua only crashes.
    expect(rows.reduce((n, r) => n + r.crashes, 0)).toBeGreaterThan(0);
    expect(rows.reduce((n, r) => n + r.errors, 0)).toBeGreaterThan(0);
    expect(rows.find((r) => r.platform === 'LUA')).toMatchObject({ errors: 0 });
    // A session crashed exactly when it had an unhandled report (the API's have no session).
    const mismatched = await one<{ n: string; crashed: string }>(
      `SELECT count(*) FILTER (WHERE s.crashed <> EXISTS (SELECT 1 FROM crash_reports r
                 WHERE r.app_id = s.app_id AND r.session_id = s.id AND NOT r.handled)) AS n,
              count(*) FILTER (WHERE s.crashed) AS crashed
         FROM sessions s WHERE s.org_id = $1`,
      [seeded.org.id],
    );
    expect(mismatched.n).toBe('0');
    expect(Number(mismatched.crashed)).toBeGreaterThan(0);
  });

  it("stores crash reports with Lua tracebacks and the seed's context", async () => {
    const org = seeded.org.id;
    const traces = await one<{ lua: string; web: string }>(
      `SELECT count(*) FILTER (WHERE stack_trace ~ '^\\w+\\.lua:\\d+: in function ''\\w+''\\n') AS lua,
              count(*) FILTER (WHERE stack_trace ~ 'https://shop\\.demo\\.test/static/js/\\w+\\.[0-9a-f]{6}\\.js:\\d+:\\d+') AS web
         FROM crash_reports WHERE org_id = $1`,
      [org],
    );
    expect(Number(traces.lua)).toBeGreaterThan(0);
    expect(Number(traces.web)).toBeGreaterThan(0);
    const context = await one<{ n: string }>(
      `SELECT count(*) AS n FROM crash_reports WHERE org_id = $1 AND NOT (context ? 'screen' AND context ? 'memory_mb' AND context ? 'uptime_seconds')`,
      [org],
    );
    expect(context.n).toBe('0');
  });

  it('tells a regression story: a crash that only newer versions have', async () => {
    const regression = await one<{ n: string }>(
      `SELECT count(*) AS n FROM crash_groups g JOIN apps a ON a.id = g.app_id
        WHERE g.org_id = $1 AND g.status = 'open'
          AND g.first_version <> (SELECT min(e.app_version) FROM events e WHERE e.org_id = $1 AND e.app_id = g.app_id)`,
      [seeded.org.id],
    );
    expect(Number(regression.n)).toBeGreaterThan(0);
  });

  it('can run again beside an earlier demo without clashing', async () => {
    const again = await seedDemo({ prisma, pool, events: 2_000, days: 2, devices: 30, now });
    expect(again.org.id).not.toBe(seeded.org.id);
    expect(again.org.slug).not.toBe(seeded.org.slug);
    expect(again.apps.map((a) => a.id)).not.toEqual(seeded.apps.map((a) => a.id));
    const mine = await one<{ events: string; reports: string }>(
      `SELECT (SELECT count(*) FROM events WHERE org_id = $1) AS events, (SELECT count(*) FROM crash_reports WHERE org_id = $1) AS reports`,
      [seeded.org.id],
    );
    expect(Number(mine.events)).toBe(seeded.counts.events);
    expect(Number(mine.reports)).toBe(seeded.counts.crashReports);
    const theirs = await one<{ n: string }>('SELECT count(*) AS n FROM events WHERE org_id = $1', [again.org.id]);
    expect(Number(theirs.n)).toBe(again.counts.events);
  });
});

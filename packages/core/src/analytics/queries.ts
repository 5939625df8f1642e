import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { assertCan } from '../tenancy/permissions.ts';
import { parseInput } from '../tenancy/validate.ts';
import {
  breakdownInput,
  DAY_MS,
  dateRangeInput,
  eventSeriesInput,
  performanceInput,
  slowestInput,
  type BreakdownInput,
  type DateRange,
  type DateRangeQuery,
  type EventSeriesInput,
  type PerformanceInput,
  type SlowestInput,
} from '../contracts/analytics.ts';
import { rollupFreshness, type Freshness } from './fresh.ts';
import { DeviceSketch, ValueSketch } from './sketch.ts';

// Dashboard queries, one function each, tenant first (the actor's org, an app of it), all
// read from the daily rollups: a 30-day overview is a few hundred rows, whatever the
// event volume. Dates are UTC days, both ends included.

/** A UTC day as YYYY-MM-DD. */
export const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Reading analytics of an app: the actor may read telemetry and the app is a live app of its org (404 otherwise). */
export async function requireApp(prisma: PrismaClient, actor: OrgActor, appId: number): Promise<void> {
  assertCan(actor.role, 'telemetry.read');
  const app = Number.isSafeInteger(appId)
    ? await prisma.app.findFirst({ where: { id: appId, orgId: actor.orgId, deletedAt: null }, select: { id: true } })
    : null;
  if (!app) throw new AppError('NOT_FOUND', `app ${appId} not found`);
}

interface DailyRow {
  app_id: number;
  day: Date;
  metric: string;
  dimension: string;
  count: bigint;
  sum: number;
  min: number | null;
  max: number | null;
  unique_devices: number;
  sketch: Uint8Array | null;
  computed_at: Date;
}

/** When the newest of these rollup rows was computed: when the figures made of them were rolled up. */
const rolledUpAt = (rows: readonly DailyRow[]) =>
  rows.reduce<Date | null>((at, r) => (at === null || r.computed_at > at ? r.computed_at : at), null);

/** Daily rollup rows of some metrics over [from, to] (epoch ms of UTC days, inclusive). */
async function dailyRows(
  prisma: PrismaClient,
  orgId: string,
  appId: number | readonly number[],
  from: number,
  to: number,
  metrics: readonly string[],
  options: { dimension?: string; withSketch?: boolean; lcpOnly?: boolean } = {},
): Promise<DailyRow[]> {
  const withSketch = options.withSketch ?? false;
  const appIds = typeof appId === 'number' ? [appId] : [...appId];
  return prisma.$queryRaw<DailyRow[]>`
    SELECT app_id, day, metric, dimension, count, sum, min, max, unique_devices, computed_at,
      CASE WHEN ${withSketch} THEN sketch END AS sketch
    FROM rollups_daily
    WHERE org_id = ${orgId}::uuid AND app_id = ANY(${appIds}::int[])
      AND day >= ${iso(from)}::date AND day <= ${iso(to)}::date
      AND metric = ANY(${metrics as string[]})
      AND (${options.dimension ?? null}::text IS NULL OR dimension = ${options.dimension ?? null})
      AND NOT (${options.lcpOnly ?? false} AND metric = 'value:web_vital' AND dimension <> 'LCP')`;
}

const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : null);
const change = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : (100 * (now - before)) / Math.abs(before);
export const round = (n: number | null, digits = 2) =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

export interface OverviewFigures {
  /** Average daily active users (devices) over the range. */
  dau: number;
  /** Distinct users over the whole range (HyperLogLog, ~1%). */
  users: number;
  events: number;
  sessions: number;
  avgSessionSeconds: number | null;
  bounceRate: number | null;
  /** Unhandled errors: crashes of their session (Sentry's definition). */
  crashes: number;
  /** Handled errors: reported by the app, not crashes. */
  errors: number;
  /** Share of users without an unhandled crash in the range, percent. */
  crashFreeUsers: number | null;
  /** Share of sessions without an unhandled crash, percent. */
  crashFreeSessions: number | null;
  lcpP75: number | null;
}

function figures(rows: DailyRow[], days: number): OverviewFigures {
  const total = (metric: string, field: 'count' | 'sum' | 'unique_devices' = 'count') =>
    rows.filter((r) => r.metric === metric && r.dimension === '').reduce((s, r) => s + Number(r[field]), 0);
  const union = (metric: string) =>
    rows
      .filter((r) => r.metric === metric && r.dimension === '' && r.sketch)
      .reduce((acc, r) => acc.merge(DeviceSketch.decode(r.sketch)), new DeviceSketch())
      .estimate();
  const sessions = total('sessions');
  const users = union('active');
  const crashedUsers = union('crashes');
  const lcp = rows
    .filter((r) => r.metric === 'value:web_vital' && r.dimension === 'LCP')
    .reduce((acc, r) => acc.merge(ValueSketch.decode(r.sketch)), new ValueSketch());
  return {
    dau: round(total('active', 'unique_devices') / days, 1) ?? 0,
    users,
    events: total('active'),
    sessions,
    avgSessionSeconds: sessions > 0 ? round(total('sessions', 'sum') / sessions / 1000, 1) : null,
    bounceRate: round(pct(total('sessions:bounced'), sessions)),
    crashes: total('crashes'),
    errors: total('errors'),
    crashFreeUsers: users > 0 ? round(100 - (100 * Math.min(crashedUsers, users)) / users) : null,
    crashFreeSessions: sessions > 0 ? round(100 - (100 * total('sessions:crashed')) / sessions) : null,
    lcpP75: round(lcp.quantile(0.75), 0),
  };
}

const OVERVIEW_METRICS = [
  'active',
  'sessions',
  'sessions:bounced',
  'sessions:crashed',
  'crashes',
  'errors',
  'value:web_vital',
];

function overviewOf(rows: DailyRow[], range: DateRange) {
  const prevStart = range.start - range.days * DAY_MS;
  const current = figures(
    rows.filter((r) => r.day.getTime() >= range.start),
    range.days,
  );
  const previous = figures(
    rows.filter((r) => r.day.getTime() < range.start),
    range.days,
  );
  const changes = Object.fromEntries(
    (Object.keys(current) as Array<keyof OverviewFigures>).map((k) => [k, round(change(current[k], previous[k]), 1)]),
  ) as Record<keyof OverviewFigures, number | null>;
  return {
    start: iso(range.start),
    end: iso(range.end),
    ...current,
    previous: { start: iso(prevStart), end: iso(range.start - DAY_MS), ...previous },
    change: changes,
  };
}
export type AnalyticsOverview = ReturnType<typeof overviewOf> & Freshness;

/** The seed's overview: the range's headline figures, the previous range of the same length, and the change in %. */
export async function analyticsOverview(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  input: DateRangeQuery = {},
): Promise<AnalyticsOverview> {
  const range = parseInput(dateRangeInput, input);
  await requireApp(prisma, actor, appId);
  const rows = await dailyRows(
    prisma,
    actor.orgId,
    appId,
    range.start - range.days * DAY_MS,
    range.end,
    OVERVIEW_METRICS,
    { withSketch: true, lcpOnly: true },
  );
  const freshness = await rollupFreshness(prisma, actor.orgId, [appId], range);
  return { ...overviewOf(rows, range), ...freshness(appId, rolledUpAt(rows)) };
}

/**
 * Overviews of several apps of the org in one query (GraphQL's DataLoader batches a list
 * of apps through here). Apps not of the org are absent from the map.
 */
export async function analyticsOverviews(
  prisma: PrismaClient,
  actor: OrgActor,
  appIds: readonly number[],
  input: DateRangeQuery = {},
): Promise<Map<number, AnalyticsOverview>> {
  assertCan(actor.role, 'telemetry.read');
  const range = parseInput(dateRangeInput, input);
  const apps = await prisma.app.findMany({
    where: { orgId: actor.orgId, deletedAt: null, id: { in: appIds.filter((id) => Number.isSafeInteger(id)) } },
    select: { id: true },
  });
  const rows = await dailyRows(
    prisma,
    actor.orgId,
    apps.map((a) => a.id),
    range.start - range.days * DAY_MS,
    range.end,
    OVERVIEW_METRICS,
    { withSketch: true, lcpOnly: true },
  );
  const freshness = await rollupFreshness(
    prisma,
    actor.orgId,
    apps.map((a) => a.id),
    range,
  );
  return new Map(
    apps.map((a) => [
      a.id,
      {
        ...overviewOf(
          rows.filter((r) => r.app_id === a.id),
          range,
        ),
        ...freshness(a.id, rolledUpAt(rows.filter((r) => r.app_id === a.id))),
      },
    ]),
  );
}

/** Hourly series read hourly rollups: at most this many days of them at once. */
export const MAX_HOURLY_DAYS = 14;

/**
 * Events per day or per hour (all, or of one type) with the devices that sent them; every
 * bucket present. An hourly series spans at most MAX_HOURLY_DAYS days.
 */
export async function analyticsEventSeries(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  input: EventSeriesInput = {},
) {
  const q = parseInput(eventSeriesInput, input);
  const range = parseInput(dateRangeInput, { start: q.start, end: q.end });
  if (q.interval === 'hour' && range.days > MAX_HOURLY_DAYS) {
    throw new AppError('BAD_REQUEST', `invalid input: start an hourly series spans at most ${MAX_HOURLY_DAYS} days`);
  }
  await requireApp(prisma, actor, appId);
  const metric = q.eventType ? 'events' : 'active';
  const dimension = q.eventType ?? '';
  let buckets: Map<number, { count: bigint; unique_devices: number }>;
  let step = DAY_MS;
  if (q.interval === 'hour') {
    step = 3_600_000;
    const rows = await prisma.$queryRaw<Array<{ bucket: Date; count: bigint; unique_devices: number }>>`
      SELECT bucket, count, unique_devices FROM rollups_hourly
      WHERE org_id = ${actor.orgId}::uuid AND app_id = ${appId} AND metric = ${metric} AND dimension = ${dimension}
        AND bucket >= ${new Date(range.start)} AND bucket < ${new Date(range.end + DAY_MS)}`;
    buckets = new Map(rows.map((r) => [r.bucket.getTime(), r]));
  } else {
    const rows = await dailyRows(prisma, actor.orgId, appId, range.start, range.end, [metric], { dimension });
    buckets = new Map(rows.map((r) => [r.day.getTime(), r]));
  }
  return {
    start: iso(range.start),
    end: iso(range.end),
    eventType: q.eventType ?? null,
    interval: q.interval,
    data: Array.from({ length: (range.days * DAY_MS) / step }, (_, i) => {
      const at = range.start + i * step;
      const r = buckets.get(at);
      return {
        date: step === DAY_MS ? iso(at) : new Date(at).toISOString(),
        count: Number(r?.count ?? 0),
        uniqueDevices: r?.unique_devices ?? 0,
      };
    }),
  };
}

/** Active users by app version: device-days in the range and their share, largest first. */
export async function analyticsVersions(prisma: PrismaClient, actor: OrgActor, appId: number, input: DateRangeQuery = {}) {
  const range = parseInput(dateRangeInput, input);
  await requireApp(prisma, actor, appId);
  const rows = await dailyRows(prisma, actor.orgId, appId, range.start, range.end, [
    'version',
    'crashes:version',
    'events:version',
  ]);
  const versions = new Map<
    string,
    { deviceDays: number; crashes: number; crashedDeviceDays: number; starts: number }
  >();
  const at = (v: string) => {
    let entry = versions.get(v);
    if (!entry) versions.set(v, (entry = { deviceDays: 0, crashes: 0, crashedDeviceDays: 0, starts: 0 }));
    return entry;
  };
  for (const r of rows) {
    if (r.metric === 'version') at(r.dimension).deviceDays += r.unique_devices;
    else if (r.metric === 'crashes:version') {
      at(r.dimension).crashes += Number(r.count);
      at(r.dimension).crashedDeviceDays += r.unique_devices;
    } else {
      const [type, version] = [
        r.dimension.slice(0, r.dimension.indexOf('|')),
        r.dimension.slice(r.dimension.indexOf('|') + 1),
      ];
      if (type === 'app_start' || type === 'session_start') at(version).starts += Number(r.count);
    }
  }
  const totalDeviceDays = [...versions.values()].reduce((s, v) => s + v.deviceDays, 0);
  return [...versions.entries()]
    .map(([version, v]) => ({
      version: version === '' ? null : version,
      deviceDays: v.deviceDays,
      share: round(pct(v.deviceDays, totalDeviceDays)),
      crashes: v.crashes,
      starts: v.starts,
      /** The seed's crash rate: crashes (unhandled) per 100 starts. */
      crashRate: round(pct(v.crashes, v.starts)),
      // Crashes count against the version that crashed; devices by their latest version of
      // the day, so on upgrade days a version can have more crashed devices than devices.
      crashFreeUsers: v.deviceDays > 0 ? round(Math.max(0, 100 - pct(v.crashedDeviceDays, v.deviceDays)!)) : null,
    }))
    .filter((v) => v.deviceDays > 0 || v.crashes > 0)
    .sort((a, b) => b.deviceDays - a.deviceDays || (a.version ?? '').localeCompare(b.version ?? ''));
}

export const PERCENTILES = [0.5, 0.75, 0.95, 0.99] as const;

const quantiles = (sketch: ValueSketch) => ({
  count: sketch.count,
  p50: round(sketch.quantile(0.5), 3),
  p75: round(sketch.quantile(0.75), 3),
  p95: round(sketch.quantile(0.95), 3),
  p99: round(sketch.quantile(0.99), 3),
});

/** Percentiles of one metric per day and over the whole range, merged from the daily sketches. */
export async function analyticsPerformance(prisma: PrismaClient, actor: OrgActor, appId: number, input: PerformanceInput) {
  const q = parseInput(performanceInput, input);
  const range = parseInput(dateRangeInput, { start: q.start, end: q.end });
  await requireApp(prisma, actor, appId);
  const rows = await dailyRows(prisma, actor.orgId, appId, range.start, range.end, [`value:${q.eventType}`], {
    withSketch: true,
    ...(q.name !== undefined ? { dimension: q.name } : {}),
  });
  // Without a name: every name of the type, but not the per-page copies of web vitals.
  const used =
    q.name === undefined ? rows.filter((r) => !(q.eventType === 'web_vital' && r.dimension.includes('@'))) : rows;
  const overall = new ValueSketch();
  const byDay = new Map<number, ValueSketch>();
  for (const r of used) {
    const sketch = ValueSketch.decode(r.sketch);
    overall.merge(sketch);
    const at = r.day.getTime();
    byDay.set(at, (byDay.get(at) ?? new ValueSketch()).merge(sketch));
  }
  return {
    start: iso(range.start),
    end: iso(range.end),
    eventType: q.eventType,
    name: q.name ?? null,
    overall: quantiles(overall),
    daily: Array.from({ length: range.days }, (_, i) => {
      const at = range.start + i * DAY_MS;
      return { date: iso(at), ...quantiles(byDay.get(at) ?? new ValueSketch()) };
    }),
  };
}

/** Names of one value type ranked by a percentile: slow pages (web_vital LCP@page), slow routes, slow resource types. */
export async function analyticsSlowest(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  input: SlowestInput,
): Promise<
  Array<{ name: string; count: number; p50: number | null; p75: number | null; p95: number | null; p99: number | null }>
> {
  const q = parseInput(slowestInput, input);
  const range = parseInput(dateRangeInput, { start: q.start, end: q.end });
  await requireApp(prisma, actor, appId);
  const rows = await dailyRows(prisma, actor.orgId, appId, range.start, range.end, [`value:${q.eventType}`], {
    withSketch: true,
  });
  // For web vitals: the pages of one vital (LCP@/checkout → /checkout).
  const prefix = q.eventType === 'web_vital' ? `${q.name ?? 'LCP'}@` : null;
  const byName = new Map<string, ValueSketch>();
  for (const r of rows) {
    if (prefix ? !r.dimension.startsWith(prefix) : q.name !== undefined && r.dimension !== q.name) continue;
    const name = prefix ? r.dimension.slice(prefix.length) : r.dimension;
    byName.set(name, (byName.get(name) ?? new ValueSketch()).merge(ValueSketch.decode(r.sketch)));
  }
  return [...byName.entries()]
    .map(([name, sketch]) => ({ name, ...quantiles(sketch) }))
    .sort((a, b) => (b[q.percentile] ?? 0) - (a[q.percentile] ?? 0) || a.name.localeCompare(b.name))
    .slice(0, q.limit);
}

/** Active devices by OS, browser, country, model — or views of screens and use of features — in device-days. */
export async function analyticsBreakdown(prisma: PrismaClient, actor: OrgActor, appId: number, input: BreakdownInput) {
  const q = parseInput(breakdownInput, input);
  const range = parseInput(dateRangeInput, { start: q.start, end: q.end });
  await requireApp(prisma, actor, appId);
  const rows = await dailyRows(prisma, actor.orgId, appId, range.start, range.end, [q.by]);
  const byValue = new Map<string, { deviceDays: number; count: number }>();
  for (const r of rows) {
    const entry = byValue.get(r.dimension) ?? { deviceDays: 0, count: 0 };
    entry.deviceDays += r.unique_devices;
    entry.count += Number(r.count);
    byValue.set(r.dimension, entry);
  }
  const total = [...byValue.values()].reduce((s, v) => s + v.deviceDays, 0);
  return [...byValue.entries()]
    .map(([value, v]) => ({ value: value === '' ? null : value, ...v, share: round(pct(v.deviceDays, total)) }))
    .sort((a, b) => b.deviceDays - a.deviceDays || b.count - a.count)
    .slice(0, q.limit);
}

/** Day by day: active users, sessions, crashes (unhandled), crashed users and the crash-free share. */
export async function analyticsDailyHealth(prisma: PrismaClient, actor: OrgActor, appId: number, input: DateRangeQuery = {}) {
  const range = parseInput(dateRangeInput, input);
  await requireApp(prisma, actor, appId);
  const rows = await dailyRows(prisma, actor.orgId, appId, range.start, range.end, ['active', 'sessions', 'crashes'], {
    dimension: '',
  });
  const at = new Map(rows.map((r) => [`${r.day.getTime()}|${r.metric}`, r]));
  return Array.from({ length: range.days }, (_, i) => {
    const t = range.start + i * DAY_MS;
    const dau = at.get(`${t}|active`)?.unique_devices ?? 0;
    const crashed = at.get(`${t}|crashes`)?.unique_devices ?? 0;
    return {
      date: iso(t),
      dau,
      sessions: Number(at.get(`${t}|sessions`)?.count ?? 0),
      crashes: Number(at.get(`${t}|crashes`)?.count ?? 0),
      crashedUsers: crashed,
      crashFreeUsers: dau > 0 ? round(100 - (100 * crashed) / dau) : null,
    };
  });
}

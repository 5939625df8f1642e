import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { parseInput } from '../tenancy/validate.ts';
import {
  adoptionInput,
  dateRangeInput,
  DAY_MS,
  funnelInput,
  pathsInput,
  retentionInput,
  segmentInput,
  type AdoptionInput,
  type DateRange,
  type FunnelInput,
  type FunnelStep,
  type PathsInput,
  type RetentionInput,
  type SegmentInput,
} from '../contracts/analytics.ts';
import { iso, requireApp, round } from './queries.ts';

// Questions the rollups cannot answer, asked of raw events (and device_days) over bounded
// ranges: funnels, retention cohorts, paths, feature adoption and segments. Tenant first;
// every statement is parameterised (only placeholders are generated).

const SCREEN_TYPES = ['screen_view', 'page_view'];

/** Raw-event questions span at most this many days (raw events are kept a week by default anyway). */
const MAX_RAW_DAYS = 92;

function rawRange(input: { start?: string; end?: string }, defaultDays: number): DateRange & { until: number } {
  const end = input.end ? Date.parse(input.end) : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const range = parseInput(dateRangeInput, {
    start: input.start ?? iso(end - (defaultDays - 1) * DAY_MS),
    end: iso(end),
  });
  if (range.days > MAX_RAW_DAYS) {
    throw new AppError(
      'BAD_REQUEST',
      `invalid input: start must be at most ${MAX_RAW_DAYS} days before end for this question`,
    );
  }
  return { ...range, until: range.end + DAY_MS };
}

/** A raw-event question gives up after this long rather than hold a connection for minutes. */
export const RAW_QUESTION_TIMEOUT_MS = 20_000;

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Runs a raw-event question under a statement timeout; running out is a 503 that says what to do. */
async function bounded<T>(prisma: PrismaClient, run: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${RAW_QUESTION_TIMEOUT_MS}`);
        return run(tx);
      },
      { timeout: RAW_QUESTION_TIMEOUT_MS + 5_000, maxWait: 10_000 },
    );
  } catch (error) {
    if (/statement timeout|57014|P2028|Transaction already closed/.test(String(error) + JSON.stringify(error))) {
      throw new AppError(
        'UNAVAILABLE',
        `this question took longer than ${RAW_QUESTION_TIMEOUT_MS / 1000} s; narrow the date range or the filters`,
      );
    }
    throw error;
  }
}

/** Builds `$n` placeholders as values are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Ordered funnel: devices that did step 1 in the range, then step 2 after it, … each within
 * the conversion window of their first step 1. Per step: devices, conversion from the
 * first step and from the previous one, drop-off, median time from the previous step.
 */
export async function analyticsFunnel(prisma: PrismaClient, actor: OrgActor, appId: number, input: FunnelInput) {
  const q = parseInput(funnelInput, input);
  const range = rawRange(q, 7);
  await requireApp(prisma, actor, appId);
  const p = new Params();
  const org = p.add(actor.orgId);
  const app = p.add(appId);
  const from = p.add(new Date(range.start));
  const until = p.add(new Date(range.until));
  const window = p.add(`${q.windowMinutes} minutes`);
  const matches = (step: FunnelStep) =>
    `(type = ${p.add(step.type)}${step.name ? ` AND name = ${p.add(step.name)}` : ''})`;
  const conditions = q.steps.map(matches);
  // One scan of the events any step could match, each row flagged with the steps it matches;
  // the steps then join these few rows, not the whole range again.
  const ctes = [
    `ev AS MATERIALIZED (SELECT device_id, occurred_at, ${conditions.map((c, i) => `${c} AS m${i}`).join(', ')}
      FROM events WHERE org_id = ${org}::uuid AND app_id = ${app} AND occurred_at >= ${from}
        AND occurred_at < ${until}::timestamptz + ${window}::interval AND (${conditions.join(' OR ')}))`,
    `s0 AS (SELECT device_id, min(occurred_at) AS t, min(occurred_at) AS t0 FROM ev
      WHERE m0 AND occurred_at < ${until}::timestamptz GROUP BY device_id)`,
  ];
  q.steps.slice(1).forEach((_, i) => {
    ctes.push(`s${i + 1} AS (SELECT e.device_id, min(e.occurred_at) AS t, min(prev.t0) AS t0, min(prev.t) AS prev_t FROM ev e
      JOIN s${i} prev ON prev.device_id = e.device_id
      WHERE e.m${i + 1} AND e.occurred_at > prev.t AND e.occurred_at <= prev.t0 + ${window}::interval
      GROUP BY e.device_id)`);
  });
  const selects = q.steps.map((_, i) =>
    i === 0
      ? `SELECT 0 AS step, count(*)::int AS devices, NULL::float8 AS median_seconds FROM s0`
      : `SELECT ${i}, count(*)::int, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t - prev_t))::float8 FROM s${i}`,
  );
  // Each step joins the devices of the one before on device_id: hash joins scale with the
  // range, nested loops with its square. Fresh, not yet analysed data can mislead the
  // planner into the latter, so this query rules them out.
  const rows = await bounded(prisma, async (tx) => {
    await tx.$executeRawUnsafe('SET LOCAL enable_nestloop = off');
    await tx.$executeRawUnsafe("SET LOCAL work_mem = '64MB'");
    return tx.$queryRawUnsafe<Array<{ step: number; devices: number; median_seconds: number | null }>>(
      `WITH ${ctes.join(',\n')} ${selects.join(' UNION ALL ')} ORDER BY step`,
      ...p.values,
    );
  });
  const first = rows[0]?.devices ?? 0;
  return {
    start: iso(range.start),
    end: iso(range.end),
    windowMinutes: q.windowMinutes,
    steps: q.steps.map((step, i) => {
      const devices = rows[i]?.devices ?? 0;
      const before = i === 0 ? devices : (rows[i - 1]?.devices ?? 0);
      return {
        ...step,
        devices,
        conversion: first > 0 ? round((100 * devices) / first) : null,
        fromPrevious: before > 0 ? round((100 * devices) / before) : null,
        dropOff: before - devices,
        medianSecondsFromPrevious: i === 0 ? null : round(rows[i]?.median_seconds ?? null, 1),
      };
    }),
  };
}

/**
 * Retention cohorts from device_days (exact, and still there after raw events expire):
 * devices grouped by the day or week they were first seen, and the share active again
 * in each later period.
 */
export async function analyticsRetention(prisma: PrismaClient, actor: OrgActor, appId: number, input: RetentionInput = {}) {
  const q = parseInput(retentionInput, input);
  const periodDays = q.period === 'week' ? 7 : 1;
  const end = q.end ? Date.parse(q.end) : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const range = parseInput(dateRangeInput, {
    start: q.start ?? iso(end - (q.periods * periodDays - 1) * DAY_MS),
    end: iso(end),
  });
  await requireApp(prisma, actor, appId);
  // One pass over the app's device days (a window gives each row its device's first day):
  // no self-join, so the plan does not hinge on fresh statistics.
  const rows = await prisma.$queryRaw<Array<{ cohort: number; period: number; devices: number }>>`
    WITH d AS (
      SELECT device_id, day, min(day) OVER (PARTITION BY device_id) AS first_day FROM device_days
      WHERE org_id = ${actor.orgId}::uuid AND app_id = ${appId} AND day <= ${iso(range.end)}::date
    )
    SELECT floor((first_day - ${iso(range.start)}::date) / ${periodDays}::float8)::int AS cohort,
      floor((day - first_day) / ${periodDays}::float8)::int AS period, count(DISTINCT device_id)::int AS devices
    FROM d WHERE first_day >= ${iso(range.start)}::date
    GROUP BY 1, 2`;
  const cohorts = Math.ceil(range.days / periodDays);
  const grid = Array.from({ length: cohorts }, () => new Array<number>(q.periods).fill(0));
  for (const r of rows) {
    if (r.period < q.periods && r.cohort < cohorts) grid[r.cohort]![r.period] = r.devices;
  }
  if (q.mode === 'on_or_after') {
    // Active in period k or later: needs each device's last period, not the per-period counts.
    const last = await prisma.$queryRaw<Array<{ cohort: number; last_period: number; devices: number }>>`
      WITH first AS (
        SELECT device_id, min(day) AS first_day, max(day) AS last_day FROM device_days
        WHERE org_id = ${actor.orgId}::uuid AND app_id = ${appId} AND day <= ${iso(range.end)}::date
        GROUP BY device_id HAVING min(day) >= ${iso(range.start)}::date
      )
      SELECT floor((first_day - ${iso(range.start)}::date) / ${periodDays}::float8)::int AS cohort,
        floor((last_day - first_day) / ${periodDays}::float8)::int AS last_period, count(*)::int AS devices
      FROM first GROUP BY 1, 2`;
    for (const row of grid) row.fill(0);
    for (const r of last) {
      if (r.cohort >= cohorts) continue;
      for (let k = 0; k <= Math.min(r.last_period, q.periods - 1); k++) grid[r.cohort]![k]! += r.devices;
    }
  }
  return {
    period: q.period,
    mode: q.mode,
    cohorts: grid.map((counts, c) => {
      const size = counts[0] ?? 0;
      const cohortStart = range.start + c * periodDays * DAY_MS;
      // Periods that have not happened yet are null, not 0%.
      const elapsed = Math.floor((range.end - cohortStart) / (periodDays * DAY_MS));
      return {
        cohort: iso(cohortStart),
        size,
        retained: counts.map((n, k) => (k > elapsed ? null : n)),
        percent: counts.map((n, k) => (k > elapsed || size === 0 ? null : round((100 * n) / size, 1))),
      };
    }),
  };
}

/** User journeys around one screen: where people go next and where they came from, by session. */
export async function analyticsPaths(prisma: PrismaClient, actor: OrgActor, appId: number, input: PathsInput) {
  const q = parseInput(pathsInput, input);
  const range = rawRange(q, 7);
  await requireApp(prisma, actor, appId);
  const rows = await bounded(
    prisma,
    (tx) => tx.$queryRaw<Array<{ direction: 'next' | 'previous'; screen: string | null; n: number; total: number }>>`
    WITH views AS (
      SELECT name, lead(name) OVER w AS next, lag(name) OVER w AS previous
      FROM events
      WHERE org_id = ${actor.orgId}::uuid AND app_id = ${appId} AND type = ANY(${SCREEN_TYPES})
        AND occurred_at >= ${new Date(range.start)} AND occurred_at < ${new Date(range.until)}
      WINDOW w AS (PARTITION BY device_id, session_id ORDER BY occurred_at, id)
    ), around AS (SELECT next, previous FROM views WHERE name = ${q.from})
    (SELECT 'next' AS direction, next AS screen, count(*)::int AS n, (SELECT count(*) FROM around)::int AS total
     FROM around GROUP BY next ORDER BY n DESC, next LIMIT ${q.limit})
    UNION ALL
    (SELECT 'previous', previous, count(*)::int, (SELECT count(*) FROM around)::int
     FROM around GROUP BY previous ORDER BY 3 DESC, 2 LIMIT ${q.limit})`,
  );
  const side = (direction: 'next' | 'previous') => {
    // Shares of all views of the page, not of the rows shown.
    return rows
      .filter((r) => r.direction === direction)
      .map((r) => ({ screen: r.screen, count: r.n, share: round((100 * r.n) / Math.max(1, r.total), 1) }));
  };
  // A null screen is the session's end (next) or its start (previous).
  return { start: iso(range.start), end: iso(range.end), from: q.from, next: side('next'), previous: side('previous') };
}

/**
 * Feature adoption from the daily rollups: each feature's share of active device-days,
 * and its trend — the second half of the range against the first (±10% is stable).
 */
export async function analyticsFeatureAdoption(prisma: PrismaClient, actor: OrgActor, appId: number, input: AdoptionInput = {}) {
  const q = parseInput(adoptionInput, input);
  const range = parseInput(dateRangeInput, { start: q.start, end: q.end });
  await requireApp(prisma, actor, appId);
  const middle = range.start + Math.floor(range.days / 2) * DAY_MS;
  const rows = await prisma.$queryRaw<Array<{ metric: string; dimension: string; late: boolean; devices: number }>>`
    SELECT metric, dimension, day >= ${iso(middle)}::date AS late, sum(unique_devices)::int AS devices
    FROM rollups_daily
    WHERE org_id = ${actor.orgId}::uuid AND app_id = ${appId} AND day >= ${iso(range.start)}::date
      AND day <= ${iso(range.end)}::date AND (metric = 'feature' OR (metric = 'active' AND dimension = ''))
    GROUP BY 1, 2, 3`;
  const active = { early: 0, late: 0 };
  const features = new Map<string, { early: number; late: number }>();
  for (const r of rows) {
    const target = r.metric === 'active' ? active : (features.get(r.dimension) ?? { early: 0, late: 0 });
    if (r.late) target.late += r.devices;
    else target.early += r.devices;
    if (r.metric === 'feature') features.set(r.dimension, target);
  }
  const share = (n: number, of: number) => (of > 0 ? (100 * n) / of : 0);
  return [...features.entries()]
    .map(([feature, f]) => {
      const early = share(f.early, active.early);
      const late = share(f.late, active.late);
      const trend =
        early === 0 ? (late > 0 ? 'up' : 'stable') : late > early * 1.1 ? 'up' : late < early * 0.9 ? 'down' : 'stable';
      return {
        feature,
        deviceDays: f.early + f.late,
        adoption: round(share(f.early + f.late, active.early + active.late)),
        firstHalf: round(early),
        secondHalf: round(late),
        trend: trend,
      };
    })
    .sort((a, b) => b.deviceDays - a.deviceDays || a.feature.localeCompare(b.feature))
    .slice(0, q.limit);
}

/**
 * A segment of devices by browser, OS, country, version or an event property: its size,
 * bounce rate, session duration, pages per session and conversion, over raw events.
 */
export async function analyticsSegment(prisma: PrismaClient, actor: OrgActor, appId: number, input: SegmentInput = {}) {
  const q = parseInput(segmentInput, input);
  const range = rawRange(q, 7);
  await requireApp(prisma, actor, appId);
  const p = new Params();
  const where = [
    `org_id = ${p.add(actor.orgId)}::uuid`,
    `app_id = ${p.add(appId)}`,
    `occurred_at >= ${p.add(new Date(range.start))}`,
    `occurred_at < ${p.add(new Date(range.until))}`,
  ];
  const f = q.filters;
  if (f.browser) where.push(`browser = ${p.add(f.browser)}`);
  if (f.os) where.push(`os = ${p.add(f.os)}`);
  if (f.country) where.push(`country = ${p.add(f.country)}`);
  if (f.version) where.push(`app_version = ${p.add(f.version)}`);
  if (f.property) where.push(`data->>${p.add(f.property.key)} = ${p.add(f.property.value)}`);
  const conversion = q.conversionEvent ? p.add(q.conversionEvent) : 'NULL';
  const [row] = await bounded(prisma, (tx) =>
    tx.$queryRawUnsafe<
      Array<{
        devices: number;
        sessions: number;
        bounced: number;
        avg_seconds: number | null;
        pages: number | null;
        converted: number;
        all_devices: number;
      }>
    >(
      `WITH seg AS (
       SELECT device_id, session_id, type FROM events WHERE ${where.join(' AND ')}
     ), sess AS (
       SELECT s.duration_ms, s.screen_count FROM sessions s
       WHERE s.org_id = $1::uuid AND s.app_id = $2 AND s.id IN (SELECT DISTINCT session_id FROM seg WHERE session_id IS NOT NULL)
     )
     SELECT (SELECT count(DISTINCT device_id) FROM seg)::int AS devices,
       (SELECT count(*) FROM sess)::int AS sessions,
       (SELECT count(*) FILTER (WHERE screen_count <= 1) FROM sess)::int AS bounced,
       (SELECT avg(duration_ms) / 1000 FROM sess)::float8 AS avg_seconds,
       (SELECT avg(screen_count) FROM sess)::float8 AS pages,
       (SELECT count(DISTINCT device_id) FROM events
         WHERE org_id = $1::uuid AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4 AND type = ${conversion}
           AND device_id IN (SELECT device_id FROM seg))::int AS converted,
       (SELECT count(DISTINCT device_id) FROM events WHERE org_id = $1::uuid AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4)::int AS all_devices`,
      ...p.values,
    ),
  );
  const devices = row?.devices ?? 0;
  const sessions = row?.sessions ?? 0;
  return {
    start: iso(range.start),
    end: iso(range.end),
    filters: f,
    devices,
    shareOfAll: row && row.all_devices > 0 ? round((100 * devices) / row.all_devices) : null,
    sessions,
    bounceRate: sessions > 0 ? round((100 * (row?.bounced ?? 0)) / sessions) : null,
    avgSessionSeconds: round(row?.avg_seconds ?? null, 1),
    pagesPerSession: round(row?.pages ?? null),
    conversionEvent: q.conversionEvent ?? null,
    conversionRate: q.conversionEvent && devices > 0 ? round((100 * (row?.converted ?? 0)) / devices) : null,
  };
}

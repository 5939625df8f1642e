import type { PrismaClient } from '@sightline/db';
import type { OrgActor } from '../tenancy/members.ts';
import { parseInput } from '../tenancy/validate.ts';
import {
  DAY_MS,
  dateRangeInput,
  performanceInput,
  slowestInput,
  type PerformanceInput,
  type SlowestInput,
} from '../contracts/analytics.ts';
import { dailyRows, iso, requireApp, round } from './queries.ts';
import { ValueSketch } from './sketch.ts';

// Performance queries: percentiles of timed events (web vitals, frame times, request
// durations), merged from the daily rollups' value sketches.

export const PERCENTILES = [0.5, 0.75, 0.95, 0.99] as const;

const quantiles = (sketch: ValueSketch) => ({
  count: sketch.count,
  p50: round(sketch.quantile(0.5), 3),
  p75: round(sketch.quantile(0.75), 3),
  p95: round(sketch.quantile(0.95), 3),
  p99: round(sketch.quantile(0.99), 3),
});

/** Percentiles of one metric per day and over the whole range, merged from the daily sketches. */
export async function analyticsPerformance(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  input: PerformanceInput,
) {
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

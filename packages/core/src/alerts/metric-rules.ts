import type { PrismaClient } from '@sightline/db';
import { recordAlert } from './record.ts';
import type { AlertConditions } from '../contracts/alerts.ts';
import type { AlertPayload } from './triggers.ts';

// Rules on an app's figures rather than on one crash group: the crash-free users rate and
// any event metric (web_vital LCP p75, request duration p95…) over a trailing window. The
// sweep evaluates them every minute from the raw events of the window; one alert per app
// per rule per throttle window.

const PERCENTILES: Record<string, number> = { p50: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };

interface Measured {
  value: number;
  samples: number;
}

/** Share of the app's active devices (events or crashes) without an unhandled crash (Sentry's crash-free users), in percent. */
async function crashFreeUsers(prisma: PrismaClient, orgId: string, appId: number, since: Date, until: Date) {
  const [row] = await prisma.$queryRaw<Array<{ users: bigint; crashed: bigint }>>`
    WITH crashed AS (
      SELECT DISTINCT device_id FROM crash_reports
      WHERE org_id = ${orgId}::uuid AND app_id = ${appId} AND occurred_at >= ${since} AND occurred_at < ${until}
        AND NOT handled
    ), active AS (
      SELECT device_id FROM events
      WHERE org_id = ${orgId}::uuid AND app_id = ${appId} AND occurred_at >= ${since} AND occurred_at < ${until}
      UNION
      SELECT device_id FROM crashed
    )
    SELECT (SELECT count(*) FROM active) AS users, (SELECT count(*) FROM crashed) AS crashed`;
  const users = Number(row?.users ?? 0);
  return { value: users === 0 ? 100 : (100 * (users - Number(row?.crashed ?? 0))) / users, samples: users };
}

async function eventMetric(
  prisma: PrismaClient,
  orgId: string,
  appId: number,
  c: AlertConditions,
  since: Date,
  until: Date,
): Promise<Measured> {
  const [row] = await prisma.$queryRaw<
    Array<{ samples: bigint; pct: number | null; avg: number | null; max: number | null }>
  >`
    SELECT count(*) AS samples,
      percentile_cont(${PERCENTILES[c.aggregate] ?? 0.5}::float8) WITHIN GROUP (ORDER BY value) AS pct,
      avg(value) AS avg, max(value) AS max
    FROM events
    WHERE org_id = ${orgId}::uuid AND app_id = ${appId} AND type = ${c.eventType ?? ''}
      AND occurred_at >= ${since} AND occurred_at < ${until}
      AND (${c.metricName ?? null}::text IS NULL OR name = ${c.metricName ?? null})
      AND (value IS NOT NULL OR ${c.aggregate === 'count'})`;
  const samples = Number(row?.samples ?? 0);
  const value =
    c.aggregate === 'count' ? samples : c.aggregate === 'avg' ? row?.avg : c.aggregate === 'max' ? row?.max : row?.pct;
  return { value: value ?? 0, samples };
}

const format = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1));

/** Evaluates every enabled crash-free and performance rule; returns the deliveries to send now. */
export async function evaluateMetricRules(
  prisma: PrismaClient,
  options: { webUrl: string; now?: number },
): Promise<string[]> {
  const now = options.now ?? Date.now();
  const rules = await prisma.alertRule.findMany({
    where: { enabled: true, kind: { in: ['CRASH_FREE_DROP', 'PERF_THRESHOLD'] } },
    include: { channels: { include: { channel: { select: { id: true, enabled: true, flaggedAt: true } } } } },
  });
  const created: string[] = [];
  for (const rule of rules) {
    const c = rule.conditions as unknown as AlertConditions;
    const apps = await prisma.app.findMany({
      where: { orgId: rule.orgId, deletedAt: null, ...(rule.appId === null ? {} : { id: rule.appId }) },
      select: { id: true, name: true },
    });
    const minutes = c.windowMinutes ?? 60;
    const since = new Date(now - minutes * 60_000);
    const until = new Date(now);
    for (const app of apps) {
      let fired: { title: string; text: string; metric: NonNullable<AlertPayload['metric']> } | null = null;
      if (rule.kind === 'CRASH_FREE_DROP') {
        const m = await crashFreeUsers(prisma, rule.orgId, app.id, since, until);
        const below = c.crashFreeBelow ?? 0;
        if (m.samples >= (c.minUsers ?? 20) && m.value < below) {
          fired = {
            title: `Crash-free users down in ${app.name}: ${format(m.value)}%`,
            text: `${format(m.value)}% of ${m.samples} users had no crash in the last ${minutes} min (alert below ${format(below)}%)`,
            metric: {
              name: 'crash_free_users',
              value: m.value,
              threshold: below,
              windowMinutes: minutes,
              samples: m.samples,
            },
          };
        }
      } else {
        const m = await eventMetric(prisma, rule.orgId, app.id, c, since, until);
        const threshold = c.threshold ?? 0;
        const crossed = c.operator === 'below' ? m.value < threshold : m.value > threshold;
        const name = `${c.eventType}${c.metricName ? ` ${c.metricName}` : ''} ${c.aggregate}`;
        // A count needs no minimum: "fewer than 10 sign-ups an hour" must fire at zero.
        if ((c.aggregate === 'count' || m.samples >= (c.minSamples ?? 20)) && crossed) {
          fired = {
            title: `${name} ${c.operator} ${format(threshold)} in ${app.name}`,
            text: `${name} is ${format(m.value)} over ${m.samples} samples in the last ${minutes} min (alert ${c.operator} ${format(threshold)})`,
            metric: { name, value: m.value, threshold, windowMinutes: minutes, samples: m.samples },
          };
        }
      }
      if (!fired) continue;
      const payload: AlertPayload = {
        kind: rule.kind as 'CRASH_FREE_DROP' | 'PERF_THRESHOLD',
        title: fired.title,
        text: fired.text,
        link: `${options.webUrl}/o/${rule.orgId}/apps/${app.id}`,
        app,
        group: null,
        metric: fired.metric,
      };
      const window = Math.floor(now / (rule.throttleMinutes * 60_000));
      for (const { channel } of rule.channels) {
        if (!channel.enabled || channel.flaggedAt) continue;
        const id = await recordAlert(prisma, {
          orgId: rule.orgId,
          rule,
          channelId: channel.id,
          crashGroupId: null,
          dedupeKey: `${rule.id}:${channel.id}:app:${app.id}:${window}`,
          payload,
          now,
        });
        if (id) created.push(id);
      }
      await prisma.alertRule.update({ where: { id: rule.id }, data: { lastTriggeredAt: new Date(now) } });
    }
  }
  return created;
}

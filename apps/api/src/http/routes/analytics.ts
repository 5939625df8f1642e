import { analyticsEventSeries, analyticsOverview, parseInput, resolveAppRef } from '@sightline/core';
import { eventSeriesInput } from '@sightline/core/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestActor } from '../actor.ts';
import type { ServerDeps } from '../server.ts';

// The seed's analytics endpoints (secret key with `read`, or a portal session): the same
// core functions as tRPC and GraphQL, cached in Redis until the app's next rollup, in the
// seed's snake_case.

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function registerAnalyticsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const target = async (request: FastifyRequest) => {
    const actor = await requestActor(deps, request);
    const appId = await resolveAppRef(deps.prisma, actor.orgId, (request.params as { id: string }).id);
    const query = request.query as Record<string, unknown>;
    return { actor, appId, range: { start: text(query.start_date), end: text(query.end_date) }, query };
  };

  app.get('/v1/apps/:id/analytics/overview', async (request) => {
    const { actor, appId, range } = await target(request);
    const o = await deps.analyticsCache.get(actor.orgId, appId, 'overview', range, () =>
      analyticsOverview(deps.prisma, actor, appId, range),
    );
    const figures = (f: typeof o | typeof o.previous) => ({
      dau: f.dau,
      users: f.users,
      events: f.events,
      sessions: f.sessions,
      avg_session_seconds: f.avgSessionSeconds,
      bounce_rate: f.bounceRate,
      crashes: f.crashes,
      errors: f.errors,
      crash_free_rate: f.crashFreeUsers,
      crash_free_sessions: f.crashFreeSessions,
      lcp_p75_ms: f.lcpP75,
    });
    return {
      start_date: o.start,
      end_date: o.end,
      ...figures(o),
      previous: { start_date: o.previous.start, end_date: o.previous.end, ...figures(o.previous) },
      change_percent: figures(o.change as unknown as typeof o),
      // Dashboards include the current hour: when the figures were rolled up, and what is still counting.
      rolled_up_at: o.rolledUpAt,
      pending_hours: o.pendingHours,
      current_hour_partial: o.currentHourPartial,
    };
  });

  app.get('/v1/apps/:id/analytics/events', async (request) => {
    const { actor, appId, range, query } = await target(request);
    const input = { ...range, eventType: text(query.event_type), interval: text(query.interval) };
    const series = await deps.analyticsCache.get(actor.orgId, appId, 'events', input, () =>
      analyticsEventSeries(deps.prisma, actor, appId, parseInput(eventSeriesInput, input)),
    );
    return {
      start_date: series.start,
      end_date: series.end,
      event_type: series.eventType,
      interval: series.interval,
      data: series.data.map((d) => ({ date: d.date, count: d.count, unique_devices: d.uniqueDevices })),
    };
  });
}

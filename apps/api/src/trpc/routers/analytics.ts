import {
  analyticsBreakdown,
  analyticsDailyHealth,
  analyticsEventSeries,
  analyticsFeatureAdoption,
  analyticsFunnel,
  analyticsOverview,
  analyticsPaths,
  analyticsRetention,
  analyticsSegment,
  analyticsPerformance,
  analyticsSlowest,
  analyticsVersions,
  type AnalyticsCache,
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';

// The dashboard's queries. Inputs are checked by core (clear messages naming the field);
// here only their outline. Every answer is cached until the app's next rollup.

const appQuery = z.object({ appId: z.number().int(), query: z.record(z.string(), z.unknown()).default({}) });

type Prisma = Parameters<typeof analyticsOverview>[0];
type Actor = Parameters<typeof analyticsOverview>[1];
interface Ctx {
  deps: {
    prisma: Prisma;
    analyticsCache: AnalyticsCache;
  };
  actor: Actor;
}

function cached<T>(
  ctx: Ctx,
  input: z.infer<typeof appQuery>,
  name: string,
  fn: (prisma: Prisma, actor: Actor, appId: number, input: unknown) => Promise<T>,
): Promise<T> {
  return ctx.deps.analyticsCache.get(ctx.actor.orgId, input.appId, name, input.query, () =>
    fn(ctx.deps.prisma, ctx.actor, input.appId, input.query),
  );
}

const q = orgProcedure.input(appQuery);

export const analyticsRouter = router({
  overview: q.query(({ ctx, input }) => cached(ctx, input, 'overview', analyticsOverview)),
  events: q.query(({ ctx, input }) => cached(ctx, input, 'events', analyticsEventSeries)),
  health: q.query(({ ctx, input }) => cached(ctx, input, 'health', analyticsDailyHealth)),
  versions: q.query(({ ctx, input }) => cached(ctx, input, 'versions', analyticsVersions)),
  performance: q.query(({ ctx, input }) => cached(ctx, input, 'performance', analyticsPerformance)),
  slowest: q.query(({ ctx, input }) => cached(ctx, input, 'slowest', analyticsSlowest)),
  breakdown: q.query(({ ctx, input }) => cached(ctx, input, 'breakdown', analyticsBreakdown)),
  funnel: q.query(({ ctx, input }) => cached(ctx, input, 'funnel', analyticsFunnel)),
  retention: q.query(({ ctx, input }) => cached(ctx, input, 'retention', analyticsRetention)),
  paths: q.query(({ ctx, input }) => cached(ctx, input, 'paths', analyticsPaths)),
  adoption: q.query(({ ctx, input }) => cached(ctx, input, 'adoption', analyticsFeatureAdoption)),
  segment: q.query(({ ctx, input }) => cached(ctx, input, 'segment', analyticsSegment)),
});

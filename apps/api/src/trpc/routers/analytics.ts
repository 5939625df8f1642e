import {
  analyticsBreakdown,
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
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';

// The dashboard's queries. Inputs are checked by core (clear messages naming the field);
// here only their outline. Every answer is cached until the app's next rollup.

const appQuery = z.object({ appId: z.number().int(), query: z.record(z.string(), z.unknown()).default({}) });

type Query = (
  prisma: Parameters<typeof analyticsOverview>[0],
  actor: Parameters<typeof analyticsOverview>[1],
  appId: number,
  input: unknown,
) => Promise<unknown>;

function cachedQuery<F extends Query>(name: string, fn: F) {
  return orgProcedure
    .input(appQuery)
    .query(
      ({ ctx, input }) =>
        ctx.deps.analyticsCache.get(ctx.actor.orgId, input.appId, name, input.query, () =>
          fn(ctx.deps.prisma, ctx.actor, input.appId, input.query),
        ) as ReturnType<F>,
    );
}

export const analyticsRouter = router({
  overview: cachedQuery('overview', analyticsOverview),
  events: cachedQuery('events', analyticsEventSeries),
  versions: cachedQuery('versions', analyticsVersions),
  performance: cachedQuery('performance', analyticsPerformance),
  slowest: cachedQuery('slowest', analyticsSlowest),
  breakdown: cachedQuery('breakdown', analyticsBreakdown),
  funnel: cachedQuery('funnel', analyticsFunnel),
  retention: cachedQuery('retention', analyticsRetention),
  paths: cachedQuery('paths', analyticsPaths),
  adoption: cachedQuery('adoption', analyticsFeatureAdoption),
  segment: cachedQuery('segment', analyticsSegment),
});

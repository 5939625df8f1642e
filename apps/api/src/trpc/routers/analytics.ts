import {
  adoptionInput,
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
  breakdownInput,
  dateRangeQuery,
  eventSeriesInput,
  funnelInput,
  pathsInput,
  performanceInput,
  retentionInput,
  segmentInput,
  slowestInput,
  type AnalyticsCache,
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';
import { payload } from '../input.ts';

// The dashboard's queries: `{ appId, query }`, the query checked by the core's schema for
// that question (a bad field is a 400 naming it). Every answer is cached until the app's
// next rollup.

type Prisma = Parameters<typeof analyticsOverview>[0];
type Actor = Parameters<typeof analyticsOverview>[1];
interface Ctx {
  deps: {
    prisma: Prisma;
    analyticsCache: AnalyticsCache;
  };
  actor: Actor;
}

/** One question: its input is `{ appId, query }`, the query checked by `schema` (omitted: {}). */
function question<S extends z.ZodType, T>(
  name: string,
  schema: S,
  fn: (prisma: Prisma, actor: Actor, appId: number, query: z.output<S>) => Promise<T>,
) {
  return orgProcedure
    .input(z.object({ appId: z.number().int() }))
    // Every question's fields are optional or say what is missing, so an omitted query is {}.
    .input(payload('query', schema.prefault({} as z.input<S>)))
    .query(({ ctx, input }: { ctx: Ctx; input: { appId: number; query: z.output<S> } }) =>
      ctx.deps.analyticsCache.get(ctx.actor.orgId, input.appId, name, input.query, () =>
        fn(ctx.deps.prisma, ctx.actor, input.appId, input.query),
      ),
    );
}

export const analyticsRouter = router({
  overview: question('overview', dateRangeQuery, analyticsOverview),
  events: question('events', eventSeriesInput, analyticsEventSeries),
  health: question('health', dateRangeQuery, analyticsDailyHealth),
  versions: question('versions', dateRangeQuery, analyticsVersions),
  performance: question('performance', performanceInput, analyticsPerformance),
  slowest: question('slowest', slowestInput, analyticsSlowest),
  breakdown: question('breakdown', breakdownInput, analyticsBreakdown),
  funnel: question('funnel', funnelInput, analyticsFunnel),
  retention: question('retention', retentionInput, analyticsRetention),
  paths: question('paths', pathsInput, analyticsPaths),
  adoption: question('adoption', adoptionInput, analyticsFeatureAdoption),
  segment: question('segment', segmentInput, analyticsSegment),
});

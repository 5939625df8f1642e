export { DeviceSketch, SKETCH_RELATIVE_ACCURACY, ValueSketch } from './sketch.ts';
export { createAnalyticsCache, HEAVY_QUESTIONS, type AnalyticsCache } from './cache.ts';
export {
  createHeavyQuestionGate,
  HEAVY_QUESTION_LEASE_MS,
  type HeavyQuestionGate,
  type HeavyQuestionGateOptions,
} from './concurrency.ts';
export { rollupDay, rollupHour, runAggregation, type AggregationResult } from './rollup.ts';
export {
  createRollupFreshener,
  FRESH_ROLLUP_DEFAULTS,
  rollUpPendingHours,
  rollupFreshness,
  type Freshness,
  type FreshRollup,
  type FreshRollupOptions,
  type RollupFreshener,
} from './fresh.ts';
export {
  analyticsBreakdown,
  analyticsDailyHealth,
  analyticsEventSeries,
  analyticsOverview,
  analyticsOverviews,
  type AnalyticsOverview,
  analyticsPerformance,
  analyticsSlowest,
  analyticsVersions,
  type OverviewFigures,
} from './queries.ts';
export * from '../contracts/analytics.ts';
export {
  analyticsFeatureAdoption,
  analyticsFunnel,
  analyticsPaths,
  analyticsRetention,
  analyticsSegment,
} from './explore.ts';

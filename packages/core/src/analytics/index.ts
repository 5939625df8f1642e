export { DeviceSketch, SKETCH_RELATIVE_ACCURACY, ValueSketch } from './sketch.ts';
export { rollupDay, rollupHour, runAggregation, type AggregationResult } from './rollup.ts';
export {
  analyticsBreakdown,
  analyticsEventSeries,
  analyticsOverview,
  analyticsPerformance,
  analyticsSlowest,
  analyticsVersions,
  BREAKDOWNS,
  dateRangeInput,
  MAX_RANGE_DAYS,
  type OverviewFigures,
} from './queries.ts';

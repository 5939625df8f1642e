// Analytics vocabulary shared by the api and the portal.

export const BREAKDOWNS = ['os', 'browser', 'country', 'device_model', 'screen', 'feature'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** The percentiles the performance queries report. */
export const PERCENTILE_NAMES = ['p50', 'p75', 'p95', 'p99'] as const;
export type PercentileName = (typeof PERCENTILE_NAMES)[number];

export const SERIES_INTERVALS = ['day', 'hour'] as const;
export const RETENTION_PERIODS = ['day', 'week'] as const;
export const RETENTION_MODES = ['on', 'on_or_after'] as const;

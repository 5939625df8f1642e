// Alerting vocabulary shared by the api and the portal.

export const ALERT_KINDS = [
  'NEW_CRASH_GROUP',
  'REGRESSION',
  'CRASH_SPIKE',
  'CRASH_FREE_DROP',
  'PERF_THRESHOLD',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const CHANNEL_KINDS = ['EMAIL', 'SLACK', 'WEBHOOK'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const METRIC_AGGREGATES = ['p50', 'p75', 'p90', 'p95', 'p99', 'avg', 'max', 'count'] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];

export const METRIC_OPERATORS = ['above', 'below'] as const;

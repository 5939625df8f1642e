import { z } from 'zod';

// Alerting vocabulary and inputs, shared by the api and the portal.

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
export type MetricOperator = (typeof METRIC_OPERATORS)[number];

export const channelInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('EMAIL'),
    name: z.string().trim().min(1).max(100),
    recipients: z.array(z.email('must be an email address')).min(1).max(20),
  }),
  z.object({
    kind: z.literal('SLACK'),
    name: z.string().trim().min(1).max(100),
    /** A bot token with chat:write. */
    token: z.string().regex(/^xox[abp]-[\w-]+$/, 'must be a Slack bot token (xoxb-…)'),
    channel: z.string().trim().min(1).max(100),
  }),
  z.object({
    kind: z.literal('WEBHOOK'),
    name: z.string().trim().min(1).max(100),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    /** Signs each body (HMAC-SHA256); one is made when none is given. */
    secret: z.string().min(16).max(200).optional(),
  }),
]);
export type ChannelInput = z.infer<typeof channelInput>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM');

export const quietHoursInput = z
  .object({
    start: clock,
    end: clock,
    timeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'quiet hours must not start and end at the same time', path: ['end'] });
export type QuietHours = z.infer<typeof quietHoursInput>;

/**
 * What fires a rule, by kind:
 * - CRASH_SPIKE: occurrences of one group within `windowMinutes` at or above `threshold`,
 *   or above `baselineFactor`× its hourly average of the past day.
 * - CRASH_FREE_DROP: the share of an app's users (devices) without an unhandled crash within
 *   `windowMinutes` falls below `crashFreeBelow` percent, once at least `minUsers` were active.
 * - PERF_THRESHOLD: the `aggregate` (p75, avg…) of `eventType` events' values (named
 *   `metricName`, e.g. web_vital LCP) within `windowMinutes` is `operator` `threshold`,
 *   over at least `minSamples` events.
 */
export const alertConditionsInput = z
  .object({
    threshold: z.number().finite().min(0).max(1e12).optional(),
    windowMinutes: z.number().int().min(1).max(10_080).default(60),
    baselineFactor: z.number().min(1).max(1000).optional(),
    crashFreeBelow: z.number().min(0).max(100).optional(),
    minUsers: z.number().int().min(1).max(10_000_000).default(20),
    eventType: z.string().trim().min(1).max(100).optional(),
    metricName: z.string().trim().min(1).max(200).optional(),
    aggregate: z.enum(METRIC_AGGREGATES).default('p75'),
    operator: z.enum(METRIC_OPERATORS).default('above'),
    minSamples: z.number().int().min(1).max(10_000_000).default(20),
  })
  .strict();
export type AlertConditions = z.infer<typeof alertConditionsInput>;

/** The conditions each kind reads; a rule is stored with these only. */
const CONDITION_KEYS: Record<(typeof ALERT_KINDS)[number], ReadonlyArray<keyof AlertConditions>> = {
  NEW_CRASH_GROUP: [],
  REGRESSION: [],
  CRASH_SPIKE: ['threshold', 'windowMinutes', 'baselineFactor'],
  CRASH_FREE_DROP: ['crashFreeBelow', 'windowMinutes', 'minUsers'],
  PERF_THRESHOLD: ['eventType', 'metricName', 'aggregate', 'operator', 'threshold', 'windowMinutes', 'minSamples'],
};

export const alertRuleInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    appId: z.number().int().positive().nullable().default(null),
    kind: z.enum(ALERT_KINDS),
    conditions: alertConditionsInput.prefault({}),
    /** At most one alert per group (or app, for metric rules) per rule per this many minutes. */
    throttleMinutes: z.number().int().min(1).max(10_080).default(60),
    /** At most one message per channel per this many minutes; the rest arrive as one digest. */
    digestMinutes: z.number().int().min(1).max(1440).nullable().default(null),
    quietHours: quietHoursInput.nullable().default(null),
    channelIds: z.array(z.uuid('must be a channel id')).min(1).max(20),
  })
  .superRefine((r, ctx) => {
    const c = r.conditions;
    const need = (ok: boolean, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', message, path: ['conditions'] });
    };
    if (r.kind === 'CRASH_SPIKE') {
      need(
        c.threshold !== undefined || c.baselineFactor !== undefined,
        'a spike rule needs conditions.threshold or conditions.baselineFactor',
      );
      need(
        c.threshold === undefined || Number.isInteger(c.threshold),
        'a spike threshold counts occurrences: a whole number',
      );
    }
    if (r.kind === 'CRASH_FREE_DROP') {
      need(
        c.crashFreeBelow !== undefined,
        'a crash-free rule needs conditions.crashFreeBelow (a percentage such as 99.5)',
      );
    }
    if (r.kind === 'PERF_THRESHOLD') {
      need(c.eventType !== undefined, 'a performance rule needs conditions.eventType (such as web_vital)');
      need(c.threshold !== undefined, 'a performance rule needs conditions.threshold');
    }
  })
  .transform((r) => ({
    ...r,
    conditions: Object.fromEntries(
      CONDITION_KEYS[r.kind].filter((k) => r.conditions[k] !== undefined).map((k) => [k, r.conditions[k]]),
    ),
  }));
export type AlertRuleInput = z.infer<typeof alertRuleInput>;

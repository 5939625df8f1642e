import { z } from 'zod';

// Analytics vocabulary and query inputs, shared by the api and the portal. Dates are UTC
// days as YYYY-MM-DD, both ends included.

export const BREAKDOWNS = ['os', 'browser', 'country', 'device_model', 'screen', 'feature'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

/** The percentiles the performance queries report. */
export const PERCENTILE_NAMES = ['p50', 'p75', 'p95', 'p99'] as const;
export type PercentileName = (typeof PERCENTILE_NAMES)[number];

export const SERIES_INTERVALS = ['day', 'hour'] as const;
export const RETENTION_PERIODS = ['day', 'week'] as const;
export const RETENTION_MODES = ['on', 'on_or_after'] as const;

export const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 731;

export const dayInput = z.iso
  .date('must be a date as YYYY-MM-DD')
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31');

/** A range as callers name it; `dateRangeInput` turns it into epoch days. */
export const dateRangeQuery = z.object({ start: dayInput.optional(), end: dayInput.optional() });
export type DateRangeQuery = z.input<typeof dateRangeQuery>;

export const dateRangeInput = dateRangeQuery.transform((r, ctx) => {
  const end = r.end ? Date.parse(r.end) : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const start = r.start ? Date.parse(r.start) : end - 29 * DAY_MS;
  const days = Math.round((end - start) / DAY_MS) + 1;
  if (days < 1) ctx.addIssue({ code: 'custom', message: 'start must not be after end', path: ['start'] });
  if (days > MAX_RANGE_DAYS)
    ctx.addIssue({ code: 'custom', message: `a range may span at most ${MAX_RANGE_DAYS} days`, path: ['start'] });
  return { start, end, days };
});
export type DateRange = z.output<typeof dateRangeInput>;

export const eventSeriesInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    eventType: z.string().trim().min(1).max(100).optional(),
    interval: z.enum(SERIES_INTERVALS).default('day'),
  })
  .strict();

export const performanceInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    /** An event type carrying values: web_vital, perf_frame, perf_startup, resource_timing, http_request, timing… */
    eventType: z.string().trim().min(1).max(100),
    /** Its name: LCP, an initiator (img), a route, a timing name; empty for all. */
    name: z.string().max(2200).optional(),
  })
  .strict();

export const slowestInput = performanceInput.extend({
  percentile: z.enum(PERCENTILE_NAMES).default('p75'),
  limit: z.number().int().min(1).max(100).default(10),
});

export const breakdownInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    by: z.enum(BREAKDOWNS),
    limit: z.number().int().min(1).max(200).default(20),
  })
  .strict();

const stepInput = z
  .object({
    /** An event type: page_view, screen_view, button_click, purchase… */
    type: z.string().trim().min(1).max(100),
    /** Its name (page path, screen, element); empty for any. */
    name: z.string().max(2000).optional(),
  })
  .strict();

export const funnelInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    steps: z.array(stepInput).min(2, 'a funnel needs at least 2 steps').max(8, 'a funnel has at most 8 steps'),
    /** How long after the first step the last may happen. */
    windowMinutes: z.number().int().min(1).max(43_200).default(1440),
  })
  .strict();

export const retentionInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    period: z.enum(RETENTION_PERIODS).default('week'),
    /** 'on': active in that very period; 'on_or_after': in it or any later one (unbounded). */
    mode: z.enum(RETENTION_MODES).default('on'),
    periods: z.number().int().min(1).max(52).default(8),
  })
  .strict();

export const pathsInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    /** The screen or page path to look around. */
    from: z.string().min(1).max(2000),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .strict();

export const adoptionInput = z
  .object({ start: dayInput.optional(), end: dayInput.optional(), limit: z.number().int().min(1).max(100).default(20) })
  .strict();

export const segmentInput = z
  .object({
    start: dayInput.optional(),
    end: dayInput.optional(),
    filters: z
      .object({
        browser: z.string().max(100).optional(),
        os: z.string().max(100).optional(),
        country: z.string().length(2, 'must be a two-letter country code').toUpperCase().optional(),
        version: z.string().max(64).optional(),
        /** An event property (data key) and the value it must have. */
        property: z
          .object({ key: z.string().min(1).max(100), value: z.string().max(500) })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /** The event type that counts as converting (purchase, signup…). */
    conversionEvent: z.string().trim().min(1).max(100).optional(),
  })
  .strict();


export type EventSeriesInput = z.input<typeof eventSeriesInput>;
export type PerformanceInput = z.input<typeof performanceInput>;
export type SlowestInput = z.input<typeof slowestInput>;
export type BreakdownInput = z.input<typeof breakdownInput>;
export type FunnelStep = z.infer<typeof stepInput>;
export type FunnelInput = z.input<typeof funnelInput>;
export type RetentionInput = z.input<typeof retentionInput>;
export type PathsInput = z.input<typeof pathsInput>;
export type AdoptionInput = z.input<typeof adoptionInput>;
export type SegmentInput = z.input<typeof segmentInput>;

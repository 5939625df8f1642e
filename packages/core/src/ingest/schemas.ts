import { z } from 'zod';

// Wire payloads of `POST /v1/telemetry/events` and `/v1/telemetry/crash` (seed
// app-telemetry-milestone). The batch envelope is checked as a whole; each event on its
// own, so one bad event is reported and skipped while the rest are kept.

export const MAX_EVENTS_PER_REQUEST = 500;
export const MAX_EVENT_DATA_BYTES = 16 * 1024;

const shortText = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().max(max).optional().nullable();

/** ISO-8601 text or epoch milliseconds; anything unparsable is an error, not "now". */
export const timestampSchema = z.union([z.string().max(40), z.number().finite()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time or epoch milliseconds' });
    return z.NEVER;
  }
  return ms;
});

export const appRefSchema = z.union([shortText(200), z.number().int().positive()]);

/** What events and crash reports both say about the app, device and session. */
const senderFields = {
  app_id: appRefSchema.optional(),
  app_version: optionalText(64),
  mosis_version: optionalText(64),
  device_id: shortText(200),
  session_id: optionalText(100),
  user_id: optionalText(200),
  environment: optionalText(64),
  os: optionalText(64),
  os_version: optionalText(64),
  device_model: optionalText(100),
};

export const eventBatchInput = z.object({
  ...senderFields,
  locale: optionalText(35),
  events: z
    .array(z.unknown())
    .min(1, 'must hold at least one event')
    .max(MAX_EVENTS_PER_REQUEST, `may hold at most ${MAX_EVENTS_PER_REQUEST} events; split the batch`),
});
export type EventBatchInput = z.infer<typeof eventBatchInput>;

const eventType = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:$-]+$/, 'may hold letters, digits and _ . : $ -');

const dataObject = z.record(z.string(), z.unknown()).default({});

export const eventInput = z.object({
  id: z.uuid('must be a UUID').optional(),
  type: eventType,
  timestamp: timestampSchema,
  name: optionalText(200),
  value: z.number().finite().optional().nullable(),
  session_id: optionalText(100),
  data: dataObject,
});
export type EventInput = z.infer<typeof eventInput>;

export const WEB_VITALS = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB', 'FID'] as const;

const num = z.number().finite();

const mediaTiming = z
  .object({ url: z.string().max(4000), kind: z.string().max(20), duration_ms: num.min(0) })
  .passthrough();

/**
 * What the known event types must carry, and which field becomes the row's `name` and
 * `value` (the columns dashboards group and aggregate by). Custom types keep any data.
 */
export const KNOWN_EVENT_DATA = {
  app_start: { schema: z.object({}).passthrough() },
  app_stop: { schema: z.object({ duration_seconds: num.min(0).optional() }).passthrough(), value: 'duration_seconds' },
  app_crash: {
    schema: z
      .object({ crash_type: z.string().max(200).optional(), message: z.string().max(4000).optional() })
      .passthrough(),
    name: 'crash_type',
  },
  lua_error: { schema: z.object({ message: z.string().max(4000) }).passthrough() },
  perf_frame: {
    schema: z.object({ avg_ms: num.min(0), p95_ms: num.min(0).optional() }).passthrough(),
    value: 'avg_ms',
  },
  perf_memory: {
    schema: z.object({ used_mb: num.min(0), limit_mb: num.min(0).optional() }).passthrough(),
    value: 'used_mb',
  },
  perf_startup: { schema: z.object({ duration_ms: num.min(0) }).passthrough(), value: 'duration_ms' },
  screen_view: { schema: z.object({ screen_name: z.string().min(1).max(200) }).passthrough(), name: 'screen_name' },
  button_click: { schema: z.object({ element_id: z.string().min(1).max(200) }).passthrough(), name: 'element_id' },
  feature_used: { schema: z.object({ feature_name: z.string().min(1).max(200) }).passthrough(), name: 'feature_name' },
  page_view: {
    schema: z
      .object({
        path: z.string().max(2000).optional(),
        /** The route pattern (`/shop/[id]`) where the app's router knows it: pages group by it. */
        route: z.string().max(2000).optional(),
        url: z.string().max(4000).optional(),
        referrer: z.string().max(4000).optional(),
        title: z.string().max(500).optional(),
      })
      .passthrough(),
    name: ['route', 'path'],
  },
  click: {
    schema: z.object({ selector: z.string().max(500).optional(), text: z.string().max(500).optional() }).passthrough(),
    name: 'selector',
  },
  console_error: { schema: z.object({ message: z.string().max(4000) }).passthrough() },
  web_vital: {
    schema: z
      .object({
        name: z.enum(WEB_VITALS),
        value: num.min(0),
        rating: z.enum(['good', 'needs-improvement', 'poor']).optional(),
        page: z.string().max(2000).optional(),
      })
      .passthrough(),
    name: 'name',
    value: 'value',
  },
  resource_timing: {
    schema: z
      .object({
        url: z.string().max(4000),
        initiator: z.string().max(50).optional(),
        duration_ms: num.min(0),
        transfer_size: num.min(0).optional(),
      })
      .passthrough(),
    name: 'initiator',
    value: 'duration_ms',
  },
  // Video and audio start-up and stalls (the browser SDK); errors come as `media_error`.
  media_load: { schema: mediaTiming, name: 'kind', value: 'duration_ms' },
  media_stall: { schema: mediaTiming, name: 'kind', value: 'duration_ms' },
  http_request: {
    schema: z
      .object({
        method: z.string().min(1).max(16),
        path: z.string().max(2000),
        status: z.number().int().min(100).max(599),
        duration_ms: num.min(0),
        request_size: num.min(0).optional(),
        response_size: num.min(0).optional(),
      })
      .passthrough(),
    name: 'path',
    value: 'duration_ms',
  },
  session_start: { schema: z.object({}).passthrough() },
  session_end: {
    schema: z.object({ duration_seconds: num.min(0).optional() }).passthrough(),
    value: 'duration_seconds',
  },
  counter: {
    schema: z.object({ name: z.string().min(1).max(200), value: num.default(1) }).passthrough(),
    name: 'name',
    value: 'value',
  },
  gauge: {
    schema: z.object({ name: z.string().min(1).max(200), value: num }).passthrough(),
    name: 'name',
    value: 'value',
  },
  histogram: {
    schema: z.object({ name: z.string().min(1).max(200), value: num }).passthrough(),
    name: 'name',
    value: 'value',
  },
  timing: {
    schema: z.object({ name: z.string().min(1).max(200), duration_ms: num.min(0) }).passthrough(),
    name: 'name',
    value: 'duration_ms',
  },
} satisfies Record<
  string,
  { schema: z.ZodType<Record<string, unknown>>; name?: string | readonly string[]; value?: string }
>;

export type KnownEventType = keyof typeof KNOWN_EVENT_DATA;

/** One stack frame, newest call first (Sentry's own order is reversed on the way in). */
export const stackFrameInput = z.object({
  function: z.string().max(500).optional().nullable(),
  module: z.string().max(500).optional().nullable(),
  file: z.string().max(2000).optional().nullable(),
  line: z.number().int().min(0).optional().nullable(),
  column: z.number().int().min(0).optional().nullable(),
  in_app: z.boolean().optional().nullable(),
});
export type StackFrameInput = z.infer<typeof stackFrameInput>;

export const MAX_STACK_FRAMES = 250;

export const crashInput = z.object({
  ...senderFields,
  /** The sender's id for this report (a UUID or similar): a report sent again with the same id is stored once. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8–64 letters, digits or dashes (a UUID)')
    .optional(),
  timestamp: timestampSchema.optional(),
  crash: z.object({
    type: shortText(200),
    message: z.string().max(8000).optional().nullable(),
    stack_trace: z
      .string()
      .max(256 * 1024)
      .optional()
      .nullable(),
    frames: z.array(stackFrameInput).max(MAX_STACK_FRAMES).optional(),
    /** Overrides grouping: crashes with the same fingerprint are one group (`{{ default }}` stands for the usual one). */
    fingerprint: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
    level: z.enum(['fatal', 'error', 'warning', 'info']).default('fatal'),
    /**
     * false (the default): the app did not catch it (an uncaught error, a Lua error, a native
     * crash): a crash of its session. true: the app caught it and reported it (an error, not a
     * crash). A `fatal` report is always a crash.
     */
    handled: z.boolean().optional(),
    /** Cut to MAX_CRASH_CONTEXT_BYTES, with a `_truncated` note (crash-limits.ts), not refused. */
    context: z.record(z.string(), z.unknown()).default({}),
    /** Any number (the body limit bounds them): the newest MAX_BREADCRUMBS are kept, each cut to its size limit. */
    breadcrumbs: z.array(z.unknown()).optional(),
    tags: z.record(z.string(), z.string().max(200)).optional(),
  }),
});
export type CrashInput = z.infer<typeof crashInput>;

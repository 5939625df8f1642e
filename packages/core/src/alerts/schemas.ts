import { z } from 'zod';

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

export const ALERT_KINDS = ['NEW_CRASH_GROUP', 'REGRESSION', 'CRASH_SPIKE'] as const;

export const alertRuleInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    appId: z.number().int().positive().nullable().default(null),
    kind: z.enum(ALERT_KINDS),
    /** CRASH_SPIKE: occurrences of one group within `windowMinutes` at or above `threshold`, or above `baselineFactor`× its hourly average of the past day. */
    conditions: z
      .object({
        threshold: z.number().int().min(1).max(1_000_000).optional(),
        windowMinutes: z.number().int().min(1).max(1440).default(60),
        baselineFactor: z.number().min(1).max(1000).optional(),
      })
      .default({ windowMinutes: 60 }),
    /** At most one alert per group per rule per this many minutes. */
    throttleMinutes: z.number().int().min(1).max(10_080).default(60),
    channelIds: z.array(z.uuid('must be a channel id')).min(1).max(20),
  })
  .refine(
    (r) =>
      r.kind !== 'CRASH_SPIKE' || r.conditions.threshold !== undefined || r.conditions.baselineFactor !== undefined,
    {
      message: 'a spike rule needs conditions.threshold or conditions.baselineFactor',
      path: ['conditions'],
    },
  );
export type AlertRuleInput = z.infer<typeof alertRuleInput>;

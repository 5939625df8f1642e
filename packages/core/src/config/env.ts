import { z } from 'zod';
import { targetPolicySchema } from '../alerts/targets.ts';

// Shared pieces of each app's env schema. Only an app's own env.ts reads process.env.

const postgresUrl = z
  .string()
  .url('must be a URL like postgresql://user@host:5432/db')
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgresql://');

const redisUrl = z
  .string()
  .url('must be a URL like redis://127.0.0.1:6379')
  .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://');

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sightline';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const databaseEnv = {
  DATABASE_URL: postgresUrl.default(DEFAULT_DATABASE_URL),
};

export const redisEnv = {
  REDIS_URL: redisUrl.default(DEFAULT_REDIS_URL),
  /** Prefix of every Redis key (caches, limits, the ingestion buffer, queues): two installations can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'may hold letters, digits, _ and - (at most 40)')
    .default('sightline'),
};

/** BullMQ's key prefix for an installation: its queues stay its own when Redis is shared. */
export const queuePrefix = (env: { REDIS_PREFIX: string }): string => `${env.REDIS_PREFIX}-bull`;

export const secretEnv = {
  SIGHTLINE_SECRET: z
    .string({ error: 'is required: a random string of at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
};

export const mailEnv = {
  /** Outgoing mail; without it, emails (with their links) are written to the log. */
  SMTP_URL: z.string().url('must be a URL like smtp://user:pass@mail.example.com:587').optional(),
  MAIL_FROM: z.string().default('Sightline <no-reply@localhost>'),
  /** Where people open the portal: links in emails and alerts point here. */
  PUBLIC_WEB_URL: z.string().url().default('http://localhost:3000'),
};

export const metricsEnv = {
  /**
   * Bearer token Prometheus sends (`authorization: { credentials: … }`) for the api's `/metrics`
   * and `/readyz?detail=1` (unset: 404 there, the port is public) and the worker's `/metrics`.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
};

export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The `process` field of every log line; set by the supervisor of `npm start` and `serve`. */
  SIGHTLINE_PROCESS: z.enum(['api', 'worker', 'web']).optional(),
};

export const portSchema = z.coerce.number().int().min(1).max(65535);

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/** Parses the environment; the error names every bad or missing variable. */
export function parseEnv<T extends z.ZodRawShape>(
  shape: T,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<T>> {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export const outboundEnv = {
  /**
   * Which non-public addresses webhooks may reach: `false` (default: only public unicast
   * addresses), `true` (any), or a comma-separated list of CIDRs, addresses and host names
   * (e.g. `10.20.0.0/16,hooks.internal`). See alerts/targets.ts.
   */
  ALERT_ALLOW_PRIVATE_TARGETS: targetPolicySchema,
};

export const SIGNUP_MODES = ['open', 'invite', 'closed'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

export const signupEnv = {
  /**
   * Who may create an account from the sign-up page: `open` anyone; `invite` only through an
   * invitation (plus the very first account of an empty installation); `closed` nobody (the
   * operator uses `sightline create-user` / `create-org`). Invitations work in every mode.
   */
  SIGNUP: z.enum(SIGNUP_MODES, { error: 'must be open, invite or closed' }).default('open'),
};

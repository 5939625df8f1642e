import {
  commonEnv,
  databaseEnv,
  mailEnv,
  outboundEnv,
  outboundLimitsEnv,
  metricsEnv,
  parseEnv,
  portSchema,
  publicLimitsEnv,
  redisEnv,
  secretEnv,
  signupEnv,
  trustProxyEnv,
} from '@sightline/core';
import { privacyQueueEnv } from '@sightline/jobs';
import { z } from 'zod';
import { corsAllowedOriginsSchema } from './http/cors.ts';

const serverShape = {
  ...commonEnv,
  ...databaseEnv,
  ...redisEnv,
  ...secretEnv,
  PORT: portSchema.default(4000),
  HOST: z.string().default('0.0.0.0'),
  ...trustProxyEnv,
  ...mailEnv,
  ...signupEnv,
  ...publicLimitsEnv,
  ...privacyQueueEnv,
  ...outboundEnv,
  ...outboundLimitsEnv,
  ...metricsEnv,
  /** Ingestion rate limits, requests per minute (sliding window). */
  INGEST_KEY_RPM: z.coerce.number().int().positive().default(600_000),
  INGEST_DEVICE_RPM: z.coerce.number().int().positive().default(1_200),
  INGEST_IP_RPM: z.coerce.number().int().positive().default(60_000),
  /** Buffered requests Redis may hold before ingestion answers 503 (PostgreSQL far behind). */
  INGEST_MAX_BACKLOG: z.coerce.number().int().positive().default(2_000_000),
  /**
   * Estimated heap (bytes) that all request bodies being read, parsed and handled at once may
   * take; past it the api answers 503 + Retry-After. Default and costs: http/body-budget.ts.
   */
  INGEST_MAX_INFLIGHT_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  /**
   * Buffered payload bytes before ingestion answers 503, so Redis never fills up. Unset: half
   * of Redis' maxmemory when it has one (the rest is queues, caches, counters), else 512 MB.
   */
  INGEST_MAX_BACKLOG_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .optional(),
  /** Where SDKs reach this api; DSNs shown in the portal use it. */
  PUBLIC_API_URL: z.string().url().optional(),
  /** How long a resolved credential is cached in Redis before PostgreSQL is asked again. */
  CREDENTIAL_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** How long a resolved credential is also kept in process memory (revocations still drop it at once). */
  CREDENTIAL_MEMO_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** How long an app's ingestion settings are kept in process memory before PostgreSQL is asked again. */
  APP_SETTINGS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /**
   * How long the last known credentials and app settings are kept (Redis and memory) to keep
   * acknowledging while PostgreSQL cannot be reached; an outage longer than this since a key
   * was last checked answers 503 for that key.
   */
  INGEST_LAST_KNOWN_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
  /** Other origins (comma-separated, exact) whose pages may use GraphQL, tRPC and the REST queries. */
  CORS_ALLOWED_ORIGINS: corsAllowedOriginsSchema,
  /**
   * Funnel, retention, path, adoption and segment questions one organization may run at once
   * across all api processes; more answer 429 + Retry-After (core/analytics/concurrency.ts).
   */
  ANALYTICS_ORG_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(2),
};

export type ServerEnv = ReturnType<typeof loadServerEnv>;

/** The api server's configuration; the only place it reads process.env. */
export function loadServerEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(serverShape, source);
  return { ...env, PUBLIC_API_URL: env.PUBLIC_API_URL ?? `http://localhost:${env.PORT}` };
}

const cliShape = {
  ...commonEnv,
  ...databaseEnv,
  // dead-letters list|replay read the ingestion buffer's Redis.
  ...redisEnv,
  PORT: portSchema.default(4000),
  /** Base URL SDKs reach the api at; used to print DSNs. */
  PUBLIC_API_URL: z.string().url().optional(),
  /** The portal's address: seed-demo prints its sign-in page. */
  PUBLIC_WEB_URL: mailEnv.PUBLIC_WEB_URL,
};

export type CliEnv = ReturnType<typeof loadCliEnv>;

export function loadCliEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(cliShape, source);
  return { ...env, PUBLIC_API_URL: env.PUBLIC_API_URL ?? `http://127.0.0.1:${env.PORT}` };
}

/** What `sightline doctor` needs: the api's configuration as it would start, or why it would not. */
export interface DoctorEnv {
  /** The api's configuration; absent when it does not parse (`serverError` says why). */
  server?: ServerEnv;
  serverError?: string;
  /** Enough to reach PostgreSQL and Redis even when the api's configuration is broken. */
  cli?: CliEnv;
  /** Variables left unset fall back to localhost defaults, which is worth a warning. */
  unset: { PUBLIC_API_URL: boolean; PUBLIC_WEB_URL: boolean };
  /** Where PostgreSQL keeps its data when it runs on this machine (PGDATA), for the disk check. */
  pgData?: string;
}

export function loadDoctorEnv(source: Record<string, string | undefined> = process.env): DoctorEnv {
  const attempt = <T>(load: () => T): { value?: T; error?: string } => {
    try {
      return { value: load() };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const server = attempt(() => loadServerEnv(source));
  const cli = attempt(() => loadCliEnv(source));
  return {
    ...(server.value ? { server: server.value } : { serverError: server.error ?? 'invalid configuration' }),
    ...(cli.value ? { cli: cli.value } : {}),
    unset: { PUBLIC_API_URL: !source.PUBLIC_API_URL, PUBLIC_WEB_URL: !source.PUBLIC_WEB_URL },
    ...(source.PGDATA ? { pgData: source.PGDATA } : {}),
  };
}

export type ServeEnv = ReturnType<typeof loadServeEnv>;

/**
 * `sightline serve`: the api's configuration checked up front (so a missing SIGHTLINE_SECRET
 * is named before anything starts), the portal's port, and the environment handed to the
 * children, who each parse their own.
 */
export function loadServeEnv(source: Record<string, string | undefined> = process.env) {
  const server = loadServerEnv(source);
  const { WEB_PORT } = parseEnv({ WEB_PORT: portSchema.default(3000) }, source);
  return { server, WEB_PORT, childEnv: { ...source } };
}

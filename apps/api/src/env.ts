import {
  commonEnv,
  databaseEnv,
  mailEnv,
  parseEnv,
  portSchema,
  privacyQueueEnv,
  publicLimitsEnv,
  redisEnv,
  secretEnv,
} from '@sightline/core';
import { z } from 'zod';

const serverShape = {
  ...commonEnv,
  ...databaseEnv,
  ...redisEnv,
  ...secretEnv,
  PORT: portSchema.default(4000),
  HOST: z.string().default('0.0.0.0'),
  ...mailEnv,
  ...publicLimitsEnv,
  ...privacyQueueEnv,
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
  /** Where SDKs reach this api; DSNs shown in the portal use it. */
  PUBLIC_API_URL: z.string().url().optional(),
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
};

export type CliEnv = ReturnType<typeof loadCliEnv>;

export function loadCliEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(cliShape, source);
  return { ...env, PUBLIC_API_URL: env.PUBLIC_API_URL ?? `http://127.0.0.1:${env.PORT}` };
}

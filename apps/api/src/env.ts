import { commonEnv, databaseEnv, mailEnv, parseEnv, portSchema, redisEnv, secretEnv } from '@sightline/core';
import { z } from 'zod';

const serverShape = {
  ...commonEnv,
  ...databaseEnv,
  ...redisEnv,
  ...secretEnv,
  PORT: portSchema.default(4000),
  HOST: z.string().default('0.0.0.0'),
  ...mailEnv,
  /** Ingestion rate limits, requests per minute (sliding window). */
  INGEST_KEY_RPM: z.coerce.number().int().positive().default(600_000),
  INGEST_DEVICE_RPM: z.coerce.number().int().positive().default(1_200),
  INGEST_IP_RPM: z.coerce.number().int().positive().default(60_000),
  /** Buffered requests Redis may hold before ingestion answers 503 (PostgreSQL far behind). */
  INGEST_MAX_BACKLOG: z.coerce.number().int().positive().default(2_000_000),
  /**
   * Buffered payload bytes before ingestion answers 503, so Redis never fills up. Unset: half
   * of Redis' maxmemory when it has one (the rest is queues, caches, counters), else 512 MB.
   */
  INGEST_MAX_BACKLOG_BYTES: z.coerce.number().int().min(1024 * 1024).optional(),
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
  PORT: portSchema.default(4000),
  /** Base URL SDKs reach the api at; used to print DSNs. */
  PUBLIC_API_URL: z.string().url().optional(),
};

export type CliEnv = ReturnType<typeof loadCliEnv>;

export function loadCliEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(cliShape, source);
  return { ...env, PUBLIC_API_URL: env.PUBLIC_API_URL ?? `http://127.0.0.1:${env.PORT}` };
}

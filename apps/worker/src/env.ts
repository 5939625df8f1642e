import {
  commonEnv,
  databaseEnv,
  mailEnv,
  outboundEnv,
  metricsEnv,
  parseEnv,
  redisEnv,
  secretEnv,
} from '@sightline/core';
import { privacyQueueEnv } from '@sightline/jobs';
import { z } from 'zod';

const workerShape = {
  ...commonEnv,
  ...databaseEnv,
  ...redisEnv,
  ...secretEnv,
  ...mailEnv,
  ...privacyQueueEnv,
  ...outboundEnv,
  /** Slack's Web API base URL (a stand-in for tests or a proxy). */
  SLACK_API_URL: z.string().url().default('https://slack.com/api/'),
  /** Day partitions of `events` kept ready ahead of today. */
  PARTITION_DAYS_AHEAD: z.coerce.number().int().min(1).max(60).default(7),
  /** Prometheus metrics at http://<host>:METRICS_PORT/metrics (0 turns the endpoint off). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Set, the worker's /metrics needs `Authorization: Bearer <METRICS_TOKEN>` too (same token as the api). */
  ...metricsEnv,
  /** Buffered requests the event writer takes per COPY transaction. */
  WRITER_BATCH_ENTRIES: z.coerce.number().int().min(1).max(10_000).default(400),
  /**
   * Payload bytes each writer (events, crashes) takes per batch; a batch ends with the entry
   * that reaches it. Both batches, decoded, must fit the worker's heap with room to spare.
   */
  WRITER_BATCH_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(256 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  /**
   * The worker's scheduling niceness (0–19): above 0 the api gets the CPU first when both
   * want it, so acknowledgments stay fast under load while the buffer absorbs the writes.
   */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(5),
  /** How often the aggregator rolls up the hours that received events. */
  AGGREGATE_EVERY_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /**
   * How long an hour that received events waits before it is rolled up: an hour still being
   * written is then recomputed every few minutes instead of on every pass (dashboards lag
   * live traffic by up to this plus AGGREGATE_EVERY_MS).
   */
  AGGREGATE_SETTLE_MS: z.coerce.number().int().min(0).max(3_600_000).default(180_000),
  /** How often the alert sweep runs: digests, quiet hours, metric rules, recovered alerts. */
  ALERT_SWEEP_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** How long a dead writer's unacknowledged entries wait before another writer takes them. */
  WRITER_CLAIM_IDLE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Dead letters kept (oldest dropped beyond it), and their payload bytes in Redis at most. */
  DEAD_LETTER_MAX_COUNT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  DEAD_LETTER_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(4 * 1024 ** 3)
    .default(64 * 1024 * 1024),
};

export type WorkerEnv = ReturnType<typeof loadWorkerEnv>;

/** The worker's configuration; the only place it reads process.env. */
export function loadWorkerEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(workerShape, source);
}

import { setPriority } from 'node:os';
import {
  createAnalyticsCache,
  createDeadLetterStore,
  createLogger,
  createLogMailer,
  createSmtpMailer,
  EnvError,
  queuePrefix,
  warnIfRedisNotDurable,
} from '@sightline/core';
import { createPool, createPrismaClient } from '@sightline/db';
import { Redis } from 'ioredis';
import { loadWorkerEnv } from './env.ts';
import { startAggregator } from './jobs/aggregator.ts';
import { startAlerts } from './jobs/alerts.ts';
import { startPrivacy } from './jobs/privacy.ts';
import { startIngestWriters } from './jobs/ingest-writers.ts';
import { startMaintenance } from './jobs/maintenance.ts';
import { createWorkerMetrics, serveMetrics } from './metrics.ts';
import { registerQueueMetrics } from './queue-metrics.ts';

async function start(): Promise<void> {
  const env = loadWorkerEnv();
  const log = createLogger('worker', env.LOG_LEVEL, env.SIGHTLINE_PROCESS);
  try {
    setPriority(env.WORKER_NICE);
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not lower the worker priority');
  }
  const pool = createPool({ connectionString: env.DATABASE_URL, max: 10 });
  // BullMQ workers block on Redis; they need unlimited retries per request.
  const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const prefix = queuePrefix(env);
  // Health and metrics first: /healthz answers while the worker still waits for PostgreSQL or
  // Redis, and /readyz says which of them it waits for.
  const metrics = createWorkerMetrics();
  const queueMetrics = registerQueueMetrics(metrics.registry, { connection, prefix, namespace: env.REDIS_PREFIX });
  const metricsServer =
    env.WORKER_METRICS_PORT > 0
      ? serveMetrics(metrics.registry, env.WORKER_METRICS_PORT, env.METRICS_TOKEN, {
          postgres: () => pool.query('SELECT 1'),
          redis: () => connection.ping(),
        })
      : null;

  await pool.query('SELECT 1');
  await connection.ping();
  log.info('worker connected to PostgreSQL and Redis');
  void warnIfRedisNotDurable(connection, log);

  const prisma = createPrismaClient({ connectionString: env.DATABASE_URL, max: 4 });
  const maintenance = await startMaintenance({
    connection,
    pool,
    prisma,
    cache: connection,
    log,
    daysAhead: env.PARTITION_DAYS_AHEAD,
    namespace: env.REDIS_PREFIX,
    prefix,
    usageRedis: connection,
  });
  const writersRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  writersRedis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error (writers)'));
  const alerts = await startAlerts({
    prisma,
    connection,
    log,
    appSecret: env.SIGHTLINE_SECRET,
    mailer: env.SMTP_URL ? createSmtpMailer(env.SMTP_URL, env.MAIL_FROM) : createLogMailer(log),
    webUrl: env.PUBLIC_WEB_URL,
    slackApiUrl: env.SLACK_API_URL,
    webhooks: { policy: env.ALERT_ALLOW_PRIVATE_TARGETS },
    sweepEveryMs: env.ALERT_SWEEP_MS,
    prefix,
  });
  const analyticsCache = createAnalyticsCache(connection, env.REDIS_PREFIX);
  const aggregator = await startAggregator({
    connection,
    pool,
    log,
    everyMs: env.AGGREGATE_EVERY_MS,
    settleMs: env.AGGREGATE_SETTLE_MS,
    prefix,
    onRolledUp: ({ apps }) => analyticsCache.invalidate(apps),
  });
  const privacy = await startPrivacy({
    connection,
    prefix,
    pool,
    log,
    maxInFlightPerOrg: env.PRIVACY_ORG_MAX_IN_FLIGHT,
    deadLetters: createDeadLetterStore(connection, env.REDIS_PREFIX, {
      maxCount: env.DEAD_LETTER_MAX_COUNT,
      maxBytes: env.DEAD_LETTER_MAX_BYTES,
    }),
    onAppDataDeleted: (apps) => analyticsCache.invalidate(apps),
  });
  const writers = startIngestWriters({
    pool,
    redis: writersRedis,
    log,
    metrics,
    batchEntries: env.WRITER_BATCH_ENTRIES,
    batchBytes: env.WRITER_BATCH_BYTES,
    claimIdleMs: env.WRITER_CLAIM_IDLE_MS,
    deadLetterLimits: { maxCount: env.DEAD_LETTER_MAX_COUNT, maxBytes: env.DEAD_LETTER_MAX_BYTES },
    onGrouped: alerts.onGrouped,
    namespace: env.REDIS_PREFIX,
  });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping');
    await Promise.allSettled([
      writers.close(),
      maintenance.close(),
      alerts.close(),
      aggregator.close(),
      privacy.close(),
      queueMetrics.close(),
    ]);
    metricsServer?.close();
    writersRedis.disconnect();
    await Promise.allSettled([pool.end(), connection.quit(), prisma.$disconnect()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

start().catch((error: unknown) => {
  const message =
    error instanceof EnvError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`worker: failed to start: ${message}\n`);
  process.exit(1);
});

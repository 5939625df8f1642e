import { flushLastUsed, flushUsageCounters, runRetention, type CredentialCache, type Logger } from '@sightline/core';
import type { PrismaClient } from '@sightline/db';
import { createPartitionsAhead } from '@sightline/db/event-store';
import { jobData, MAINTENANCE_JOBS, maintenancePayloads, QUEUES } from '@sightline/jobs';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';

export interface MaintenanceDeps {
  connection: ConnectionOptions;
  pool: pg.Pool;
  prisma: PrismaClient;
  /** Where the api records credential last-used times. */
  cache: CredentialCache;
  log: Logger;
  daysAhead: number;
  /** Redis key prefix; tests use their own so parallel runs never share queues or caches. */
  prefix?: string;
  /** The api's Redis key namespace (REDIS_PREFIX), where credential last-used times wait. */
  namespace?: string;
  /** Where ingestion counts each org's monthly usage; flushed to usage_counters every minute. */
  usageRedis?: Redis;
  /** How often expired data is removed (default hourly). */
  retentionEveryMs?: number;
}

/**
 * Keeps day partitions of `events` created ahead of time (every 6 hours and at start), so
 * the event writer never waits on DDL in the hot path; copies credential last-used times
 * from Redis to PostgreSQL every minute; removes expired data every hour (retention).
 */
export async function startMaintenance(deps: MaintenanceDeps): Promise<{ close(): Promise<void> }> {
  const queue = new Queue(QUEUES.maintenance, { connection: deps.connection, prefix: deps.prefix ?? 'bull' });
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.createPartitions,
    { every: 6 * 3_600_000 },
    { name: MAINTENANCE_JOBS.createPartitions, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.retention,
    { every: deps.retentionEveryMs ?? 3_600_000 },
    { name: MAINTENANCE_JOBS.retention, opts: { removeOnComplete: 24, removeOnFail: 100 } },
  );
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.flushLastUsed,
    { every: 60_000 },
    { name: MAINTENANCE_JOBS.flushLastUsed, opts: { removeOnComplete: 10, removeOnFail: 100 } },
  );
  if (deps.usageRedis) {
    await queue.upsertJobScheduler(
      MAINTENANCE_JOBS.flushUsage,
      { every: 60_000 },
      { name: MAINTENANCE_JOBS.flushUsage, opts: { removeOnComplete: 10, removeOnFail: 100 } },
    );
  }
  const worker = new Worker(
    QUEUES.maintenance,
    async (job) => {
      if (Object.hasOwn(maintenancePayloads, job.name)) {
        jobData(maintenancePayloads[job.name as keyof typeof maintenancePayloads], job);
      }
      if (job.name === MAINTENANCE_JOBS.createPartitions) {
        const names = await createPartitionsAhead(deps.pool, deps.daysAhead);
        deps.log.info({ partitions: names.length, last: names.at(-1) }, 'event partitions ready');
        return { partitions: names };
      }
      if (job.name === MAINTENANCE_JOBS.flushLastUsed) {
        return {
          flushed: await flushLastUsed(
            deps.prisma,
            deps.cache,
            deps.namespace ?? (deps.prefix ? `${deps.prefix}-sightline` : undefined),
          ),
        };
      }
      if (job.name === MAINTENANCE_JOBS.retention) {
        const removed = await runRetention(deps.pool);
        if (removed?.length) deps.log.info({ removed }, 'retention removed expired data');
        return { removed };
      }
      if (job.name === MAINTENANCE_JOBS.flushUsage && deps.usageRedis) {
        return { orgMonths: await flushUsageCounters(deps.pool, deps.usageRedis, deps.namespace) };
      }
      deps.log.warn({ job: job.name }, 'unknown maintenance job skipped');
      return null;
    },
    { connection: deps.connection, prefix: deps.prefix ?? 'bull', concurrency: 1 },
  );
  worker.on('failed', (job, err) => deps.log.error({ job: job?.name, err }, 'maintenance job failed'));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

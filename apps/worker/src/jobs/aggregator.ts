import { runAggregation, type AggregationResult, type Logger } from '@sightline/core';
import { ANALYTICS_JOBS, analyticsPayloads, jobData, QUEUES } from '@sightline/jobs';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type pg from 'pg';

// The aggregator as a BullMQ repeatable job: every `everyMs` it rolls up the hours that
// received events since the last pass, oldest first, until none are left or its time
// slice is used (the next pass continues). Any number of workers may run it: each (app,
// day) is rolled up under an advisory lock, so they share the backlog.

export interface AggregatorDeps {
  connection: ConnectionOptions;
  prefix?: string;
  pool: pg.Pool;
  log: Logger;
  /** How often a pass starts; 0 leaves it to the caller (tests call `runOnce`). */
  everyMs?: number;
  /** A pass stops taking new batches after this long. */
  sliceMs?: number;
  /** How long an hour that received events waits before it is rolled up (see runAggregation). */
  settleMs?: number;
  /** Told after each batch that changed rollups (cache invalidation). */
  onRolledUp?: (result: AggregationResult) => Promise<void> | void;
}

const JOB = ANALYTICS_JOBS.aggregate;

export async function startAggregator(deps: AggregatorDeps) {
  const prefix = deps.prefix ?? 'bull';
  const sliceMs = deps.sliceMs ?? 50_000;

  const runOnce = async () => {
    const startedAt = Date.now();
    const total = { hours: 0, days: 0, skipped: 0 };
    for (;;) {
      const pass = await runAggregation(deps.pool, { limit: 200, settleMs: deps.settleMs ?? 0 });
      total.hours += pass.hours;
      total.days += pass.days;
      total.skipped += pass.skipped;
      for (const failure of pass.failed) deps.log.error(failure, 'rollup of an app-day failed; it stays marked');
      if (pass.days > 0) await deps.onRolledUp?.(pass);

      if (pass.hours === 0 || pass.failed.length > 0 || Date.now() - startedAt > sliceMs) break;
    }
    if (total.hours > 0) deps.log.info({ ...total, ms: Date.now() - startedAt }, 'rollups updated');
    return total;
  };

  const queue = new Queue(QUEUES.analytics, { connection: deps.connection, prefix });
  queue.on('error', () => undefined);
  const every = deps.everyMs ?? 60_000;
  if (every > 0) {
    await queue.upsertJobScheduler(
      JOB,
      { every },
      { name: JOB, opts: { attempts: 1, removeOnComplete: 10, removeOnFail: 50 } },
    );
  }
  const worker = new Worker(
    QUEUES.analytics,
    async (job) => {
      if (job.name !== JOB) return null;
      jobData(analyticsPayloads[JOB], job);
      return runOnce();
    },
    {
      connection: deps.connection,
      prefix,
      concurrency: 1,
      // A pass over a large backlog runs for up to a minute; keep the lock alive meanwhile.
      lockDuration: 120_000,
    },
  );
  worker.on('failed', (job, err) => deps.log.error({ job: job?.name, err: err.message }, 'aggregation failed'));

  return {
    runOnce,
    async close(): Promise<void> {
      await worker.close();
      await queue.close();
    },
  };
}

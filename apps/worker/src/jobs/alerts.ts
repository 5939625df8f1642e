import {
  deliverNotification,
  queueCrashAlerts,
  runAlertSweep,
  type GroupOutcome,
  type Logger,
  type Mailer,
  type WebhookOptions,
} from '@sightline/core';
import type { PrismaClient } from '@sightline/db';
import { ALERT_JOBS, alertPayloads, createAlertQueue, jobData, QUEUES } from '@sightline/jobs';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';

// The alert pipeline in the worker: grouped crashes → delivery rows (deduped in the
// database) → one queue job per delivery, sent with retries and exponential backoff; and
// the sweep, a repeatable job on the same queue, for what is not sent at once — digests,
// quiet hours, metric rules — and for alerts a dead worker left behind.

export interface AlertDeps {
  prisma: PrismaClient;
  connection: ConnectionOptions;
  prefix?: string;
  log: Logger;
  appSecret: string;
  mailer: Mailer;
  webUrl: string;
  slackApiUrl?: string;
  /** Where webhooks may point (ALERT_ALLOW_PRIVATE_TARGETS), their time limits, the resolver. */
  webhooks?: WebhookOptions;
  /** First retry after this many ms, doubling each time. */
  backoffMs?: number;
  /** How often the sweep runs (default every minute); 0 leaves it to the caller (tests). */
  sweepEveryMs?: number;
}

const SWEEP_JOB = ALERT_JOBS.sweep;

/** For the log of a failed delivery, whose payload may be what failed it. */
function deliveryIdOf(data: unknown): unknown {
  return typeof data === 'object' && data !== null ? (data as { deliveryId?: unknown }).deliveryId : undefined;
}

export async function startAlerts(deps: AlertDeps) {
  const prefix = deps.prefix ?? 'bull';
  const queue = createAlertQueue({ connection: deps.connection, prefix, backoffMs: deps.backoffMs });
  const { enqueue } = queue;

  const sweep = async (now?: number): Promise<number> => {
    const ids = await runAlertSweep(deps.prisma, { webUrl: deps.webUrl, now });
    await enqueue(ids);
    return ids.length;
  };

  const worker = new Worker(
    QUEUES.alerts,
    async (job) => {
      if (job.name === SWEEP_JOB) {
        jobData(alertPayloads[SWEEP_JOB], job);
        return sweep();
      }
      const { deliveryId } = jobData(alertPayloads[ALERT_JOBS.deliver], job);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return deliverNotification(deps, deliveryId, lastAttempt);
    },
    { connection: deps.connection, prefix, concurrency: 8 },
  );
  worker.on('failed', (job, error) =>
    job?.name === SWEEP_JOB
      ? deps.log.warn({ err: error.message }, 'alert sweep failed')
      : deps.log.warn(
          { deliveryId: deliveryIdOf(job?.data), attempt: job?.attemptsMade, err: error.message },
          'alert delivery failed',
        ),
  );

  const scheduler = new Queue(QUEUES.alerts, { connection: deps.connection, prefix });
  scheduler.on('error', () => undefined);
  const every = deps.sweepEveryMs ?? 60_000;
  if (every > 0) {
    await scheduler.upsertJobScheduler(
      SWEEP_JOB,
      { every },
      { name: SWEEP_JOB, opts: { attempts: 1, removeOnComplete: 10, removeOnFail: 100 } },
    );
  }

  return {
    enqueue,
    /** One sweep now (tests pass a clock to step past digest windows and quiet hours). */
    sweep,
    /** After a crash batch commits: the alerts it triggers, queued. */
    onGrouped: async (outcomes: GroupOutcome[]): Promise<void> => {
      const interesting = outcomes.filter((o) => o.created || o.regressed || o.unignored || o.occurrences > 0);
      if (interesting.length === 0) return;
      await enqueue(await queueCrashAlerts(deps.prisma, interesting, { webUrl: deps.webUrl }));
    },
    async close(): Promise<void> {
      await worker.close();
      await Promise.all([queue.close(), scheduler.close()]);
    },
  };
}

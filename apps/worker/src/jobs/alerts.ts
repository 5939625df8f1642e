import {
  createAlertQueue,
  deliverNotification,
  queueCrashAlerts,
  QUEUES,
  type GroupOutcome,
  type Logger,
  type Mailer,
} from '@sightline/core';
import type { PrismaClient } from '@sightline/db';
import { Worker, type ConnectionOptions } from 'bullmq';

// The alert pipeline's two halves in the worker: grouped crashes → delivery rows (deduped
// in the database) → one queue job per delivery, and the queue's worker that sends them
// with retries and exponential backoff.

export interface AlertDeps {
  prisma: PrismaClient;
  connection: ConnectionOptions;
  prefix?: string;
  log: Logger;
  appSecret: string;
  mailer: Mailer;
  webUrl: string;
  slackApiUrl?: string;
  /** First retry after this many ms, doubling each time. */
  backoffMs?: number;
}

export function startAlerts(deps: AlertDeps) {
  const prefix = deps.prefix ?? 'bull';
  const queue = createAlertQueue({ connection: deps.connection, prefix, backoffMs: deps.backoffMs });
  const { enqueue } = queue;

  const worker = new Worker<{ deliveryId: string }>(
    QUEUES.alerts,
    async (job) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return deliverNotification(deps, job.data.deliveryId, lastAttempt);
    },
    { connection: deps.connection, prefix, concurrency: 8 },
  );
  worker.on('failed', (job, error) =>
    deps.log.warn(
      { deliveryId: job?.data.deliveryId, attempt: job?.attemptsMade, err: error.message },
      'alert delivery failed',
    ),
  );

  return {
    enqueue,
    /** After a crash batch commits: the alerts it triggers, queued. */
    onGrouped: async (outcomes: GroupOutcome[]): Promise<void> => {
      const interesting = outcomes.filter((o) => o.created || o.regressed || o.unignored || o.occurrences > 0);
      if (interesting.length === 0) return;
      await enqueue(await queueCrashAlerts(deps.prisma, interesting, { webUrl: deps.webUrl }));
    },
    async close(): Promise<void> {
      await worker.close();
      await queue.close();
    },
  };
}

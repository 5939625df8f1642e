import {
  createPrivacyQueue,
  PRIVACY_JOBS,
  QUEUES,
  runSubjectDeletion,
  runSubjectExport,
  type Logger,
} from '@sightline/core';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type pg from 'pg';

// GDPR requests in the worker. A deletion records each finished step in its request, so a
// worker killed midway leaves a stalled job that BullMQ hands to the next worker, which
// resumes at the first unfinished step. A sweep every minute queues requests whose job
// never made it to Redis (the api answers "scheduled" either way).

const SWEEP = 'privacy-sweep';

export async function startPrivacy(deps: {
  connection: ConnectionOptions;
  prefix?: string;
  pool: pg.Pool;
  log: Logger;
  sweepEveryMs?: number;
  /** An app's data was deleted: cached dashboard answers about it are stale. */
  onAppDataDeleted?: (apps: Array<{ orgId: string; appId: number }>) => Promise<void>;
}) {
  const prefix = deps.prefix ?? 'bull';
  const producer = createPrivacyQueue({ connection: deps.connection, prefix });
  const sweep = async (): Promise<number> => {
    const { rows } = await deps.pool.query<{ id: string; kind: string }>(
      `SELECT id, kind FROM gdpr_requests WHERE status IN ('PENDING', 'RUNNING')
         AND created_at < now() - interval '1 minute' ORDER BY created_at LIMIT 100`,
    );
    for (const { id, kind } of rows)
      await (kind === 'EXPORT' ? producer.enqueueExport(id) : producer.enqueueDeletion(id));
    return rows.length;
  };
  const worker = new Worker<{ requestId: string }>(
    QUEUES.privacy,
    async (job) => {
      if (job.name === SWEEP) return sweep();
      if (job.name === PRIVACY_JOBS.export) return runSubjectExport(deps.pool, job.data.requestId);
      if (job.name !== PRIVACY_JOBS.delete) return null;
      const progress = await runSubjectDeletion(deps.pool, job.data.requestId);
      if (!progress) return null;
      deps.log.info(
        { requestId: job.data.requestId, scope: progress.scope, removed: progress.removed },
        'data deleted',
      );
      if (progress.scope === 'APP')
        await deps.onAppDataDeleted?.([{ orgId: progress.orgId, appId: progress.appId }]).catch(() => undefined);
      return progress;
    },
    // A killed worker's job is noticed as stalled within ~15 s (BullMQ's default is 30 s) and
    // handed to the next worker, which resumes it from its recorded progress.
    { connection: deps.connection, prefix, concurrency: 2, lockDuration: 15_000, stalledInterval: 15_000 },
  );
  worker.on('failed', (job, err) => {
    if (!job || job.name === SWEEP) return;
    const requestId = job.data.requestId;
    // Out of attempts: the request says FAILED (and can be asked again) instead of running for ever.
    // A job that only found another worker still on it is not a failure of the request.
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) && err.name !== 'RequestBusyError';
    deps.log.error(
      { requestId, err: err.message, final },
      final ? 'privacy job failed' : 'privacy job failed; it will be retried',
    );
    if (!final) return;
    deps.pool
      .query(
        `UPDATE gdpr_requests SET status = 'FAILED', error = $2, completed_at = now()
         WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`,
        [requestId, err.message.slice(0, 500)],
      )
      .catch((error: unknown) =>
        deps.log.error({ requestId, err: String(error) }, 'could not mark the request failed'),
      );
  });
  const scheduler = new Queue(QUEUES.privacy, { connection: deps.connection, prefix });
  scheduler.on('error', () => undefined);
  const every = deps.sweepEveryMs ?? 60_000;
  if (every > 0) {
    await scheduler.upsertJobScheduler(
      SWEEP,
      { every },
      { name: SWEEP, opts: { removeOnComplete: 10, removeOnFail: 50 } },
    );
  }
  return {
    sweep,
    async close(): Promise<void> {
      await worker.close();
      await Promise.all([scheduler.close(), producer.close()]);
    },
  };
}

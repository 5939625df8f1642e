import {
  admitPendingPrivacyRequests,
  markPrivacyRequestFailed,
  runSubjectDeletion,
  runSubjectExport,
  sweepPrivacyRequests,
  type DeadLetterStore,
  type Logger,
} from '@sightline/core';
import { createPrivacyQueue, jobData, PRIVACY_JOBS, privacyPayloads, QUEUES } from '@sightline/jobs';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import type pg from 'pg';

// GDPR requests in the worker. A deletion records each finished step in its request, so a
// worker killed midway leaves a stalled job that BullMQ hands to the next worker, which
// resumes at the first unfinished step. Each organization has a few jobs queued at most
// (@sightline/jobs's privacy producer); when one ends, the organization's next PENDING
// request is admitted. A sweep every minute (core/privacy/sweep.ts) frees places whose end
// was missed and queues requests whose job never made it to Redis.

const SWEEP = PRIVACY_JOBS.sweep;

/** The request a privacy job is about, or null for a sweep and for a payload that names none. */
function requestIdOf(job: { name: string; data: unknown }): string | null {
  if (job.name === SWEEP) return null;
  const parsed = privacyPayloads[PRIVACY_JOBS.delete].safeParse(job.data);
  return parsed.success ? parsed.data.requestId : null;
}

export async function startPrivacy(deps: {
  connection: ConnectionOptions;
  prefix?: string;
  pool: pg.Pool;
  log: Logger;
  sweepEveryMs?: number;
  /** The writers' dead-letter list: a deletion purges the subject's letters from it. */
  deadLetters?: DeadLetterStore;
  /** Jobs one organization may have queued or running at once (PRIVACY_ORG_MAX_IN_FLIGHT). */
  maxInFlightPerOrg?: number;
  /** An app's data was deleted: cached dashboard answers about it are stale. */
  onAppDataDeleted?: (apps: Array<{ orgId: string; appId: number }>) => Promise<void>;
}) {
  const prefix = deps.prefix ?? 'bull';
  const producer = createPrivacyQueue({
    connection: deps.connection,
    prefix,
    ...(deps.maxInFlightPerOrg !== undefined ? { maxInFlightPerOrg: deps.maxInFlightPerOrg } : {}),
  });
  const sweep = (): Promise<number> => sweepPrivacyRequests(deps.pool, producer);
  // A job is over: its organization's place goes to its next PENDING request.
  const finished = async (requestId: string): Promise<void> => {
    const orgId = await producer.release(requestId);
    if (orgId) await admitPendingPrivacyRequests(deps.pool, producer, orgId);
  };
  const afterJob = (requestId: string) =>
    void finished(requestId).catch((error: unknown) =>
      deps.log.warn({ requestId, err: String(error) }, 'next privacy request admitted by the sweep later'),
    );
  const worker = new Worker(
    QUEUES.privacy,
    async (job) => {
      if (job.name === SWEEP) {
        jobData(privacyPayloads[SWEEP], job);
        return sweep();
      }
      if (job.name === PRIVACY_JOBS.export) {
        return runSubjectExport(deps.pool, jobData(privacyPayloads[PRIVACY_JOBS.export], job).requestId);
      }
      if (job.name !== PRIVACY_JOBS.delete) return null;
      const { requestId } = jobData(privacyPayloads[PRIVACY_JOBS.delete], job);
      const progress = await runSubjectDeletion(deps.pool, requestId, {
        ...(deps.deadLetters ? { deadLetters: deps.deadLetters } : {}),
      });
      if (!progress) return null;
      deps.log.info({ requestId, scope: progress.scope, removed: progress.removed }, 'data deleted');
      if (progress.scope === 'APP')
        await deps.onAppDataDeleted?.([{ orgId: progress.orgId, appId: progress.appId }]).catch(() => undefined);
      return progress;
    },
    // A killed worker's job is noticed as stalled within ~15 s (BullMQ's default is 30 s) and
    // handed to the next worker, which resumes it from its recorded progress.
    { connection: deps.connection, prefix, concurrency: 2, lockDuration: 15_000, stalledInterval: 15_000 },
  );
  worker.on('completed', (job) => {
    const requestId = requestIdOf(job);
    if (requestId) afterJob(requestId);
  });
  worker.on('failed', (job, err) => {
    if (!job || job.name === SWEEP) return;
    const requestId = requestIdOf(job);
    // Out of attempts (or not worth another: a malformed payload): the request says FAILED
    // (and can be asked again) instead of running for ever. A job that only found another
    // worker still on it is not a failure of the request.
    const final =
      err instanceof UnrecoverableError ||
      (job.attemptsMade >= (job.opts.attempts ?? 1) && err.name !== 'RequestBusyError');
    deps.log.error(
      { job: job.name, requestId, err: err.message, final },
      final ? 'privacy job failed' : 'privacy job failed; it will be retried',
    );
    // A payload without a request id leaves no request to mark.
    if (!final || !requestId) return;
    markPrivacyRequestFailed(deps.pool, requestId, err.message)
      // Only once it is FAILED: admitting the next PENDING request must not pick this one again.
      .then(() => afterJob(requestId))
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

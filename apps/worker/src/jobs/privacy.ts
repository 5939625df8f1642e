import {
  createPrivacyQueue,
  PRIVACY_JOBS,
  QUEUES,
  runSubjectDeletion,
  runSubjectExport,
  type DeadLetterStore,
  type Logger,
  type PrivacyJobKind,
  type PrivacyQueue,
} from '@sightline/core';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type pg from 'pg';

// GDPR requests in the worker. A deletion records each finished step in its request, so a
// worker killed midway leaves a stalled job that BullMQ hands to the next worker, which
// resumes at the first unfinished step. Each organization has a few jobs queued at most
// (core/privacy/queue.ts); when one ends, the organization's next PENDING request is
// admitted. A sweep every minute frees places whose end was missed and queues requests
// whose job never made it to Redis (the api answers "scheduled" either way).

const SWEEP = 'privacy-sweep';

/** Admits the organization's oldest PENDING requests while it has room; answers how many were queued. */
async function admitPending(pool: pg.Pool, queue: PrivacyQueue, orgId: string): Promise<number> {
  // Admitted requests are PENDING too until they start: twice the cap reaches past them.
  const { rows } = await pool.query<{ id: string; kind: PrivacyJobKind }>(
    `SELECT id, kind FROM gdpr_requests WHERE org_id = $1 AND status = 'PENDING'
      ORDER BY created_at LIMIT $2`,
    [orgId, queue.maxInFlightPerOrg * 2],
  );
  let queued = 0;
  for (const { id, kind } of rows) {
    if (!(await queue.enqueue(kind, id, orgId))) break;
    queued++;
  }
  return queued;
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
  const sweep = async (): Promise<number> => {
    // Places held by requests that are over (their end was not seen: a worker died) are freed.
    const admitted = await producer.admitted();
    if (admitted.size > 0) {
      const { rows: open } = await deps.pool.query<{ id: string }>(
        `SELECT id FROM gdpr_requests WHERE id = ANY($1::uuid[]) AND status IN ('PENDING', 'RUNNING')`,
        [[...admitted.keys()]],
      );
      const stillOpen = new Set(open.map((r) => r.id));
      for (const id of admitted.keys()) if (!stillOpen.has(id)) await producer.release(id);
    }
    // Then each organization's oldest open requests (older than a minute: the api queues new
    // ones itself), a few per organization so that one organization's backlog cannot crowd
    // out the others' here either. An admitted one is only re-queued if its job was lost.
    const { rows } = await deps.pool.query<{ id: string; kind: PrivacyJobKind; org_id: string }>(
      `SELECT id, kind, org_id FROM (
         SELECT id, kind, org_id, row_number() OVER (PARTITION BY org_id ORDER BY status DESC, created_at) AS n
           FROM gdpr_requests
          WHERE status IN ('PENDING', 'RUNNING') AND created_at < now() - interval '1 minute') open
        WHERE n <= $1 ORDER BY n LIMIT 1000`,
      [producer.maxInFlightPerOrg],
    );
    let queued = 0;
    for (const { id, kind, org_id: orgId } of rows) if (await producer.enqueue(kind, id, orgId)) queued++;
    return queued;
  };
  // A job is over: its organization's place goes to its next PENDING request.
  const finished = async (requestId: string): Promise<void> => {
    const orgId = await producer.release(requestId);
    if (orgId) await admitPending(deps.pool, producer, orgId);
  };
  const afterJob = (requestId: string) =>
    void finished(requestId).catch((error: unknown) =>
      deps.log.warn({ requestId, err: String(error) }, 'next privacy request admitted by the sweep later'),
    );
  const worker = new Worker<{ requestId: string }>(
    QUEUES.privacy,
    async (job) => {
      if (job.name === SWEEP) return sweep();
      if (job.name === PRIVACY_JOBS.export) return runSubjectExport(deps.pool, job.data.requestId);
      if (job.name !== PRIVACY_JOBS.delete) return null;
      const progress = await runSubjectDeletion(deps.pool, job.data.requestId, {
        ...(deps.deadLetters ? { deadLetters: deps.deadLetters } : {}),
      });
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
  worker.on('completed', (job) => {
    if (job.name !== SWEEP) afterJob(job.data.requestId);
  });
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

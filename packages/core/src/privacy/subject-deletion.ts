import type { PrismaClient } from '@sightline/db';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { listEventPartitions } from '@sightline/db/event-store';
import type { DeadLetterStore } from '../ingest/dead-letters.ts';
import { waitForRollup } from '../analytics/rollup.ts';
import { DATA_KINDS, dataKindTables } from '../data-kinds/registry.ts';
import type { SubjectDeletionStep } from '../data-kinds/types.ts';
import { appTables, deleteInBatches } from './retention.ts';
import {
  subjectCondition,
  subjectCrashRows,
  subjectParams,
  subjectRows,
  userDevices,
  withRequestLock,
  type GdprRequestRow,
  type SubjectTarget,
} from './subjects.ts';

// GDPR deletion of one subject — a device (its stored, salted and hashed id) or an app's
// user id (subjects.ts) — or of all of an app's telemetry, as a resumable job. Each step is idempotent and recorded in the request's progress when
// it is done, so a worker killed midway picks up where it stopped and repeats nothing
// harmful. What remains afterwards are aggregates that hold no identifier.

/**
 * The steps, in order: each data kind's (data-kinds/registry.ts) in registry order —
 * credentials first, so the device stops sending — then the `last` ones (the device record).
 */
const STEPS: readonly SubjectDeletionStep[] = (() => {
  const steps = DATA_KINDS.flatMap((kind) => kind.subjectDeletion);
  return [...steps.filter((s) => !s.last), ...steps.filter((s) => s.last)];
})();
export const DELETION_STEPS: readonly string[] = STEPS.map((s) => s.step);

export interface DeletionProgress {
  requestId: string;
  orgId: string;
  appId: number;
  scope: 'SUBJECT' | 'APP' | 'ORG';
  /** Finished steps (a subject's) or tables (an app's). */
  done: string[];
  removed: Record<string, number>;
  /** A user subject's devices, decided once. */
  devices?: string[];
  /** Day partitions of `events` already cleared of the subject. */
  partitions?: string[];
}

/**
 * `DELETE /v1/privacy/data`: the device asks for its data to be deleted. Its tokens are
 * revoked at once (the caller drops them from the credential cache: `revokedTokenHashes`);
 * the rest is the queued job's.
 */
export async function requestDeviceDeletion(
  prisma: PrismaClient,
  principal: Principal,
): Promise<{ id: string; revokedTokenHashes: string[]; created: boolean }> {
  if (principal.kind !== 'device_token' || principal.appId === undefined || !principal.deviceIdHash) {
    throw new AppError('FORBIDDEN', 'ask for deletion with the device token (dt_…) of the device');
  }
  const { appId, deviceIdHash, orgId } = principal;
  return prisma.$transaction(async (tx) => {
    const tokens = principal.deviceId
      ? await tx.deviceToken.findMany({
          where: { orgId, appId, deviceId: principal.deviceId, revokedAt: null },
          select: { tokenHash: true },
        })
      : [];
    if (principal.deviceId) {
      await tx.deviceToken.updateMany({
        where: { orgId, appId, deviceId: principal.deviceId, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    }
    const revokedTokenHashes = tokens.map((t) => t.tokenHash);
    // One open request per subject: asking twice returns the one already scheduled.
    const open = await tx.gdprRequest.findFirst({
      where: { orgId, appId, kind: 'DELETE', subjectKey: deviceIdHash, status: { in: ['PENDING', 'RUNNING'] } },
      select: { id: true },
    });
    if (open) return { id: open.id, revokedTokenHashes, created: false };
    const request = await tx.gdprRequest.create({
      data: {
        orgId,
        appId,
        kind: 'DELETE',
        scope: 'SUBJECT',
        subjectType: 'DEVICE',
        subjectKey: deviceIdHash,
        requestedByType: 'DEVICE',
        requestedById: principal.deviceId ?? null,
      },
      select: { id: true },
    });
    await recordAudit(
      tx,
      orgId,
      principal.deviceId ? { type: 'DEVICE', id: principal.deviceId } : { type: 'SYSTEM' },
      'gdpr.delete_requested',
      { type: 'gdpr_request', id: request.id },
      { appId },
    );
    return { id: request.id, revokedTokenHashes, created: true };
  });
}

export interface DeletionOptions {
  /**
   * The installation's dead-letter list (the worker's): what the writers could not store
   * keeps the subject's device hash and user id in Redis until purged here. Without it
   * (a caller with no Redis) the step finds nothing to purge.
   */
  deadLetters?: DeadLetterStore;
}

type CustomStep = Extract<SubjectDeletionStep, { custom: string }>['custom'];
type StepContext = { pool: pg.Pool; target: SubjectTarget; progress: DeletionProgress; options: DeletionOptions };

/** The steps the registry names but cannot say in one condition. */
const CUSTOM_STEPS: Record<CustomStep, (context: StepContext) => Promise<number>> = {
  async 'event-partitions'({ pool, target, progress }) {
    // One pass per day partition (no index leads to a device's events), each recorded,
    // so a resumed job goes on from the next day.
    const rows = subjectRows(target);
    const params = subjectParams(target);
    let removed = 0;
    const done = new Set(progress.partitions ?? []);
    for (const partition of await listEventPartitions(pool)) {
      if (done.has(partition.name)) continue;
      const result = await pool.query(`DELETE FROM "${partition.name}" WHERE ${rows}`, params);
      removed += result.rowCount ?? 0;
      progress.partitions = [...(progress.partitions ?? []), partition.name];
      await saveProgress(pool, progress);
    }
    return removed;
  },
  async 'crash-samples'({ pool, target }) {
    // A group whose sample came from the subject gets another subject's latest report as its sample, or none.
    // COALESCE: a user subject's condition is NULL (not false) for other devices' anonymous reports.
    const other = `r.group_id = g.id AND NOT COALESCE((${subjectCrashRows(target, 'r')}), false)`;
    const result = await pool.query(
      `UPDATE crash_groups g SET
         sample_stack_trace = (SELECT r.stack_trace FROM crash_reports r WHERE ${other} ORDER BY r.occurred_at DESC LIMIT 1),
         sample_frames = (SELECT r.frames FROM crash_reports r WHERE ${other} ORDER BY r.occurred_at DESC LIMIT 1)
       WHERE g.org_id = $1 AND g.app_id = $2 AND g.id IN (
         SELECT r.group_id FROM crash_reports r WHERE ${subjectCrashRows(target, 'r')}
           AND r.stack_trace IS NOT DISTINCT FROM g.sample_stack_trace)`,
      subjectParams(target),
    );
    return result.rowCount ?? 0;
  },
  async exports({ pool, target }) {
    // Finished exports holding the subject's data — its own, and the organization's — are
    // expired (so no link is handed out again) and their bundles deleted.
    const exports = `org_id = $1 AND kind = 'EXPORT' AND status = 'COMPLETED' AND (scope = 'ORG' OR (app_id = $2
      AND ((subject_type = 'DEVICE' AND subject_key = ANY($3::text[])) OR (subject_type = 'USER' AND subject_key = $4))))`;
    const params = [target.orgId, target.appId, target.devices, target.userId ?? ''];
    await pool.query(
      `UPDATE gdpr_requests SET result_expires_at = LEAST(result_expires_at, now()) WHERE ${exports}`,
      params,
    );
    return deleteInBatches(
      pool,
      'gdpr_export_files',
      ['request_id', 'part'],
      `org_id = $1 AND request_id IN (SELECT id FROM gdpr_requests WHERE ${exports})`,
      params,
    );
  },
  async 'dead-letters'({ target, options }) {
    return (await options.deadLetters?.purgeSubject(target)) ?? 0;
  },
};

const keysOf = new Map(dataKindTables().map((table) => [table.name, table.keys]));

async function runStep(step: SubjectDeletionStep, context: StepContext): Promise<number> {
  const { pool } = context;
  if ('custom' in step) return CUSTOM_STEPS[step.custom](context);
  const keys = keysOf.get(step.table);
  if (!keys) throw new Error(`deletion step ${step.step}: table ${step.table} is in no data kind`);
  if (step.waitForRollups) {
    // An aggregation that read the subject's events before the events step may still be
    // writing their device-days: wait out each day's rollup in flight first.
    for (const partition of await listEventPartitions(pool)) {
      await waitForRollup(pool, context.target.orgId, context.target.appId, partition.from);
    }
  }
  const { where, params } = subjectCondition(context.target, step.rows);
  return deleteInBatches(pool, step.table, keys, where, params);
}

/**
 * "Delete this app's data": the app's tables but the device registrations (installed apps
 * keep working, and a device that opted out stays opted out), plus the app's export
 * bundles (data-kinds/registry.ts says which). Batched like the retention job.
 */
const APP_STEPS = appTables('app-data-deleted');

/** How many steps an app's deletion takes (for its progress): the tables, then the dead letters. */
export const APP_DELETION_STEPS = APP_STEPS.length + 1;

type RequestRow = GdprRequestRow & { progress: Partial<DeletionProgress> };

async function saveProgress(pool: pg.Pool, progress: DeletionProgress): Promise<void> {
  await pool.query('UPDATE gdpr_requests SET progress = $2 WHERE id = $1', [
    progress.requestId,
    JSON.stringify(progress),
  ]);
}

/**
 * Carries out (or resumes) a deletion request — a subject's or an app's — and returns its
 * progress. Safe to run again after a crash, or twice: finished steps are skipped, and
 * each step deletes only what is left.
 */
export async function runSubjectDeletion(
  pool: pg.Pool,
  requestId: string,
  options: DeletionOptions = {},
): Promise<DeletionProgress | null> {
  return withRequestLock(pool, requestId, () => deleteNow(pool, requestId, options));
}

async function deleteNow(pool: pg.Pool, requestId: string, options: DeletionOptions): Promise<DeletionProgress | null> {
  const { rows } = await pool.query<RequestRow>(
    `UPDATE gdpr_requests SET status = 'RUNNING', started_at = COALESCE(started_at, now())
     WHERE id = $1 AND kind = 'DELETE' AND status IN ('PENDING', 'RUNNING') AND app_id IS NOT NULL
     RETURNING id, org_id, app_id, scope, subject_type, subject_key, progress`,
    [requestId],
  );
  const request = rows[0];
  if (!request || request.app_id === null) return null;
  const progress: DeletionProgress = {
    requestId,
    orgId: request.org_id,
    appId: request.app_id,
    scope: request.scope,
    done: request.progress.done ?? [],
    removed: request.progress.removed ?? {},
    ...(request.progress.devices ? { devices: request.progress.devices } : {}),
    ...(request.progress.partitions ? { partitions: request.progress.partitions } : {}),
  };
  const appId = request.app_id;
  if (request.scope === 'APP') {
    await pool.query(
      `UPDATE gdpr_requests SET result_expires_at = LEAST(result_expires_at, now())
       WHERE org_id = $1 AND kind = 'EXPORT' AND status = 'COMPLETED' AND (app_id = $2 OR scope = 'ORG')`,
      [request.org_id, request.app_id],
    );
    for (const [table, keys, where] of APP_STEPS) {
      if (progress.done.includes(table)) continue;
      progress.removed[table] =
        (progress.removed[table] ?? 0) +
        (await deleteInBatches(pool, table, [...keys], where, [request.org_id, appId]));
      progress.done.push(table);
      await saveProgress(pool, progress);
    }
    if (!progress.done.includes('dead_letters')) {
      progress.removed.dead_letters =
        (await options.deadLetters?.purgeSubject({
          orgId: request.org_id,
          appId,
          devices: [],
          userId: null,
          all: true,
        })) ?? 0;
      progress.done.push('dead_letters');
      await saveProgress(pool, progress);
    }
  } else if (request.subject_key) {
    if (request.subject_type === 'USER' && !progress.devices) {
      progress.devices = await userDevices(pool, request.org_id, appId, request.subject_key);
      await saveProgress(pool, progress);
    }
    const target: SubjectTarget = {
      orgId: request.org_id,
      appId,
      devices: request.subject_type === 'USER' ? (progress.devices ?? []) : [request.subject_key],
      userId: request.subject_type === 'USER' ? request.subject_key : null,
    };
    for (const step of STEPS) {
      if (progress.done.includes(step.step)) continue;
      progress.removed[step.step] =
        (progress.removed[step.step] ?? 0) + (await runStep(step, { pool, target, progress, options }));
      progress.done.push(step.step);
      await saveProgress(pool, progress);
    }
  } else {
    return null;
  }
  // A user subject's devices were kept only to resume the job: once done, the request keeps
  // the subject's own key and nothing more about them.
  await pool.query(
    `WITH done AS (
       UPDATE gdpr_requests SET status = 'COMPLETED', completed_at = now(), progress = progress - 'devices'
        WHERE id = $1 AND status = 'RUNNING'
       RETURNING org_id, id, scope
     )
     INSERT INTO audit_logs (org_id, actor_type, action, target_type, target_id, metadata)
     SELECT org_id, 'SYSTEM', CASE scope WHEN 'APP' THEN 'gdpr.app_data_deleted' ELSE 'gdpr.delete_completed' END,
       'gdpr_request', id::text, $2::jsonb FROM done`,
    [requestId, JSON.stringify({ appId, removed: progress.removed })],
  );
  return progress;
}

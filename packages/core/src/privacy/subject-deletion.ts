import type { PrismaClient } from '@sightline/db';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { deleteInBatches } from './retention.ts';

// GDPR deletion of one subject — a device, identified by its stored (salted, hashed) id —
// as a resumable job. Each step is idempotent and recorded in the request's progress when
// it is done, so a worker killed midway picks up where it stopped and repeats nothing
// harmful. What remains afterwards are aggregates that hold no identifier.

/** The steps, in order: credentials first (the device stops sending), the device record last. */
export const DELETION_STEPS = [
  'device_tokens',
  'events',
  'sessions',
  'crash_samples',
  'crash_reports',
  'crash_group_devices',
  'device_days',
  'exports',
  'device',
] as const;
type Step = (typeof DELETION_STEPS)[number];

export interface DeletionProgress {
  done: Step[];
  removed: Partial<Record<Step, number>>;
}

/**
 * `DELETE /v1/privacy/data`: the device asks for its data to be deleted. Its tokens are
 * revoked at once (the caller drops them from the credential cache: `revokedTokenHashes`);
 * the rest is the queued job's.
 */
export async function requestDeviceDeletion(
  prisma: PrismaClient,
  principal: Principal,
): Promise<{ id: string; revokedTokenHashes: string[] }> {
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
    if (open) return { id: open.id, revokedTokenHashes };
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
    return { id: request.id, revokedTokenHashes };
  });
}

async function runStep(pool: pg.Pool, step: Step, orgId: string, appId: number, key: string): Promise<number> {
  const subject = [orgId, appId, key];
  switch (step) {
    case 'device_tokens':
      return deleteInBatches(
        pool,
        'device_tokens',
        ['id'],
        'org_id = $1 AND app_id = $2 AND device_id IN (SELECT id FROM devices WHERE org_id = $1 AND app_id = $2 AND device_id_hash = $3)',
        subject,
      );
    case 'events':
      return deleteInBatches(
        pool,
        'events',
        ['org_id', 'app_id', 'occurred_at', 'id'],
        'org_id = $1 AND app_id = $2 AND device_id = $3',
        subject,
      );
    case 'sessions':
      return deleteInBatches(
        pool,
        'sessions',
        ['org_id', 'app_id', 'id'],
        'org_id = $1 AND app_id = $2 AND device_id = $3',
        subject,
      );
    case 'crash_samples': {
      // A group whose sample came from this device gets another device's latest report as its sample, or none.
      const result = await pool.query(
        `UPDATE crash_groups g SET
           sample_stack_trace = (SELECT r.stack_trace FROM crash_reports r WHERE r.group_id = g.id AND r.device_id <> $3
                                 ORDER BY r.occurred_at DESC LIMIT 1),
           sample_frames = (SELECT r.frames FROM crash_reports r WHERE r.group_id = g.id AND r.device_id <> $3
                            ORDER BY r.occurred_at DESC LIMIT 1)
         WHERE g.org_id = $1 AND g.app_id = $2 AND g.id IN (
           SELECT r.group_id FROM crash_reports r WHERE r.org_id = $1 AND r.app_id = $2 AND r.device_id = $3
             AND r.stack_trace IS NOT DISTINCT FROM g.sample_stack_trace)`,
        subject,
      );
      return result.rowCount ?? 0;
    }
    case 'crash_reports':
      return deleteInBatches(pool, 'crash_reports', ['id'], 'org_id = $1 AND app_id = $2 AND device_id = $3', subject);
    case 'crash_group_devices':
      return deleteInBatches(
        pool,
        'crash_group_devices',
        ['group_id', 'device_id'],
        'org_id = $1 AND device_id = $3 AND group_id IN (SELECT id FROM crash_groups WHERE org_id = $1 AND app_id = $2)',
        subject,
      );
    case 'device_days':
      return deleteInBatches(
        pool,
        'device_days',
        ['org_id', 'app_id', 'day', 'device_id'],
        'org_id = $1 AND app_id = $2 AND device_id = $3',
        subject,
      );
    case 'exports':
      // Bundles of the subject's earlier exports hold its data too.
      return deleteInBatches(
        pool,
        'gdpr_export_files',
        ['request_id'],
        `org_id = $1 AND request_id IN (SELECT id FROM gdpr_requests
           WHERE org_id = $1 AND app_id = $2 AND kind = 'EXPORT' AND subject_key = $3)`,
        subject,
      );
    case 'device':
      return deleteInBatches(pool, 'devices', ['id'], 'org_id = $1 AND app_id = $2 AND device_id_hash = $3', subject);
  }
}

/**
 * Carries out (or resumes) a deletion request; returns its progress. Safe to run again
 * after a crash, or twice: finished steps are skipped, and each step deletes only what is left.
 */
export async function runSubjectDeletion(pool: pg.Pool, requestId: string): Promise<DeletionProgress | null> {
  const { rows } = await pool.query<{
    org_id: string;
    app_id: number | null;
    subject_key: string | null;
    status: string;
    progress: Partial<DeletionProgress>;
  }>(
    `UPDATE gdpr_requests SET status = 'RUNNING', started_at = COALESCE(started_at, now())
     WHERE id = $1 AND kind = 'DELETE' AND status IN ('PENDING', 'RUNNING')
     RETURNING org_id, app_id, subject_key, status, progress`,
    [requestId],
  );
  const request = rows[0];
  if (!request || request.app_id === null || !request.subject_key) return null;
  const progress: DeletionProgress = { done: request.progress.done ?? [], removed: request.progress.removed ?? {} };
  for (const step of DELETION_STEPS) {
    if (progress.done.includes(step)) continue;
    progress.removed[step] =
      (progress.removed[step] ?? 0) + (await runStep(pool, step, request.org_id, request.app_id, request.subject_key));
    progress.done.push(step);
    await pool.query('UPDATE gdpr_requests SET progress = $2 WHERE id = $1', [requestId, JSON.stringify(progress)]);
  }
  await pool.query(
    `WITH done AS (
       UPDATE gdpr_requests SET status = 'COMPLETED', completed_at = now() WHERE id = $1 AND status = 'RUNNING' RETURNING org_id, id
     )
     INSERT INTO audit_logs (org_id, actor_type, action, target_type, target_id, metadata)
     SELECT org_id, 'SYSTEM', 'gdpr.delete_completed', 'gdpr_request', id::text, $2::jsonb FROM done`,
    [requestId, JSON.stringify({ removed: progress.removed })],
  );
  return progress;
}

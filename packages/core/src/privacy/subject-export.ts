import { createHmac, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PrismaClient } from '@sightline/db';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { recordAudit } from '../tenancy/audit.ts';

// GDPR export of one device: everything held about it (device record, raw events,
// sessions, crash reports, device days) as one gzip JSON bundle, built by a worker job and
// kept 24 hours. The download link is signed over the request, its org and its expiry: a
// changed link, another org's or an expired one finds nothing (404).

export const EXPORT_TTL_MS = 24 * 3_600_000;
const gzipAsync = promisify(gzip);

export interface ExportRequestAnswer {
  id: string;
  status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  /** Signed, valid until `expiresAt`. */
  downloadPath: string;
  expiresAt: string;
}

function signature(secret: string, requestId: string, orgId: string, expires: number): string {
  return createHmac('sha256', secret).update(`gdpr-export:${requestId}:${orgId}:${expires}`).digest('base64url');
}

function linkFor(secret: string, request: { id: string; orgId: string }, expires: number): string {
  return `/v1/privacy/exports/${request.id}?expires=${expires}&sig=${signature(secret, request.id, request.orgId, expires)}`;
}

/**
 * `GET /v1/privacy/export`: the device asks for its data. A fresh export (or one still
 * being built) is reused; otherwise a new request is made and the caller queues its job.
 */
export async function requestDeviceExport(
  prisma: PrismaClient,
  principal: Principal,
  secret: string,
  now = Date.now(),
): Promise<ExportRequestAnswer & { queue: boolean }> {
  if (principal.kind !== 'device_token' || principal.appId === undefined || !principal.deviceIdHash) {
    throw new AppError('FORBIDDEN', 'ask for an export with the device token (dt_…) of the device');
  }
  const { orgId, appId, deviceIdHash } = principal;
  const existing = await prisma.gdprRequest.findFirst({
    where: {
      orgId,
      appId,
      kind: 'EXPORT',
      subjectKey: deviceIdHash,
      OR: [{ status: { in: ['PENDING', 'RUNNING'] } }, { status: 'COMPLETED', resultExpiresAt: { gt: new Date(now) } }],
    },
    orderBy: { createdAt: 'desc' },
  });
  const request =
    existing ??
    (await prisma.$transaction(async (tx) => {
      const created = await tx.gdprRequest.create({
        data: {
          orgId,
          appId,
          kind: 'EXPORT',
          scope: 'SUBJECT',
          subjectType: 'DEVICE',
          subjectKey: deviceIdHash,
          requestedByType: 'DEVICE',
          requestedById: principal.deviceId ?? null,
          resultExpiresAt: new Date(now + EXPORT_TTL_MS),
        },
      });
      await recordAudit(
        tx,
        orgId,
        principal.deviceId ? { type: 'DEVICE', id: principal.deviceId } : { type: 'SYSTEM' },
        'gdpr.export_requested',
        { type: 'gdpr_request', id: created.id },
        { appId },
      );
      return created;
    }));
  const expires = (request.resultExpiresAt ?? new Date(now + EXPORT_TTL_MS)).getTime();
  return {
    id: request.id,
    status: request.status,
    downloadPath: linkFor(secret, request, expires),
    expiresAt: new Date(expires).toISOString(),
    queue: !existing || request.status !== 'COMPLETED',
  };
}

/** Builds and stores the bundle of an export request (idempotent: a rebuilt bundle replaces the first). */
export async function runSubjectExport(pool: pg.Pool, requestId: string): Promise<{ bytes: number } | null> {
  const { rows } = await pool.query<{ org_id: string; app_id: number; subject_key: string }>(
    `UPDATE gdpr_requests SET status = 'RUNNING', started_at = COALESCE(started_at, now())
     WHERE id = $1 AND kind = 'EXPORT' AND status IN ('PENDING', 'RUNNING') AND app_id IS NOT NULL AND subject_key IS NOT NULL
     RETURNING org_id, app_id, subject_key`,
    [requestId],
  );
  const request = rows[0];
  if (!request) return null;
  const subject = [request.org_id, request.app_id, request.subject_key];
  const all = async (sql: string): Promise<Array<Record<string, unknown>>> =>
    (await pool.query<Record<string, unknown>>(sql, subject)).rows;
  const bundle = {
    format: 'sightline-subject-export/1',
    exportedAt: new Date().toISOString(),
    subject: { type: 'device', appId: request.app_id, deviceId: request.subject_key },
    device: await all(
      `SELECT device_id_hash AS device_id, user_id, opted_out, analytics_enabled, crashes_enabled, last_app_version, os,
         os_version, model, country, locale, first_seen_at, last_seen_at
       FROM devices WHERE org_id = $1 AND app_id = $2 AND device_id_hash = $3`,
    ),
    events: await all(
      `SELECT id, occurred_at, received_at, type, name, session_id, user_id, app_version, environment, os, os_version,
         browser, device_model, country, value, data
       FROM events WHERE org_id = $1 AND app_id = $2 AND device_id = $3 ORDER BY occurred_at, id`,
    ),
    sessions: await all(
      `SELECT id, user_id, app_version, os, browser, country, started_at, ended_at, duration_ms, event_count, screen_count,
         entry_screen, exit_screen, crashed
       FROM sessions WHERE org_id = $1 AND app_id = $2 AND device_id = $3 ORDER BY started_at`,
    ),
    crashReports: await all(
      `SELECT id, occurred_at, received_at, session_id, user_id, app_version, environment, crash_type, level, message,
         stack_trace, context, breadcrumbs, tags, os, os_version, browser, device_model
       FROM crash_reports WHERE org_id = $1 AND app_id = $2 AND device_id = $3 ORDER BY occurred_at`,
    ),
    activeDays: await all(
      `SELECT day, app_version, os, browser, country, device_model, crashed FROM device_days
       WHERE org_id = $1 AND app_id = $2 AND device_id = $3 ORDER BY day`,
    ),
  };
  const content = await gzipAsync(JSON.stringify(bundle, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
  await pool.query(
    `INSERT INTO gdpr_export_files (request_id, org_id, content) VALUES ($1, $2, $3)
     ON CONFLICT (request_id) DO UPDATE SET content = EXCLUDED.content, created_at = now()`,
    [requestId, request.org_id, content],
  );
  await pool.query(`UPDATE gdpr_requests SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [requestId]);
  return { bytes: content.length };
}

/**
 * The bundle behind a signed link: null (→ 404) for a changed or expired link, another
 * org's request, or a missing one; `pending` while the job is still building it.
 */
export async function openExport(
  prisma: PrismaClient,
  secret: string,
  link: { id: string; expires: unknown; sig: unknown },
  now = Date.now(),
): Promise<{ pending: true } | { pending: false; gzip: Uint8Array } | null> {
  const expires = Number(link.expires);
  if (
    !/^[0-9a-f-]{36}$/.test(link.id) ||
    !Number.isSafeInteger(expires) ||
    expires <= now ||
    typeof link.sig !== 'string'
  ) {
    return null;
  }
  const request = await prisma.gdprRequest.findFirst({ where: { id: link.id, kind: 'EXPORT' } });
  if (!request || request.resultExpiresAt?.getTime() !== expires) return null;
  const expected = Buffer.from(signature(secret, request.id, request.orgId, expires));
  const given = Buffer.from(link.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (request.status !== 'COMPLETED') return request.status === 'FAILED' ? null : { pending: true };
  const file = await prisma.gdprExportFile.findFirst({ where: { requestId: request.id, orgId: request.orgId } });
  return file ? { pending: false, gzip: file.content } : null;
}

import type { GdprRequestModel as GdprRequest, Prisma, PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { hashDeviceId } from '../tenancy/devices.ts';
import { recordAudit } from '../tenancy/audit.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { assertCan } from '../tenancy/permissions.ts';
import { parseInput } from '../tenancy/validate.ts';
import {
  deleteAppDataInput,
  listPrivacyRequestsInput,
  subjectRequestInput,
  type DeleteAppDataInput,
  type ListPrivacyRequestsInput,
  type SubjectRequestInput,
} from '../contracts/privacy.ts';
import { APP_DELETION_STEPS, DELETION_STEPS } from './subject-deletion.ts';
import { EXPORT_TTL_MS, exportLink } from './subject-export.ts';

// GDPR requests made by the organization (an ADMIN in the portal or over GraphQL): export
// or delete one end user's data — by the device id the SDK sent, or by the app's user id —
// on their behalf, delete all of an app's data, or export the whole organization's. The
// worker carries them out like a device's own requests; the list shows their status and,
// for a finished export, a signed download link.

export interface PrivacyRequestView {
  id: string;
  /** The organization's own id: its privacy jobs are queued fairly against other organizations'. */
  orgId: string;
  kind: 'EXPORT' | 'DELETE';
  scope: 'SUBJECT' | 'APP' | 'ORG';
  appId: number | null;
  subjectType: 'DEVICE' | 'USER' | null;
  /** The app's user id, or the device's stored (hashed) id. */
  subject: string | null;
  requestedBy: { type: string; id: string | null };
  status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  /** Steps finished of all steps (deletions). */
  progress: { done: number; total: number } | null;
  removed: Record<string, number> | null;
  createdAt: Date;
  completedAt: Date | null;
  /** Exports: when the bundle and its link expire. */
  expiresAt: Date | null;
  /** A finished, unexpired export's signed link (path on the api). */
  downloadPath: string | null;
  error: string | null;
}

function view(request: GdprRequest, secret: string, now = Date.now()): PrivacyRequestView {
  const progress = request.progress as { done?: string[]; removed?: Record<string, number> };
  const total = request.scope === 'APP' ? APP_DELETION_STEPS : DELETION_STEPS.length;
  const expires = request.resultExpiresAt?.getTime() ?? null;
  return {
    id: request.id,
    orgId: request.orgId,
    kind: request.kind,
    scope: request.scope,
    appId: request.appId,
    subjectType: request.subjectType,
    subject: request.subjectKey,
    requestedBy: { type: request.requestedByType, id: request.requestedById },
    status: request.status,
    progress: request.kind === 'DELETE' ? { done: Math.min(progress.done?.length ?? 0, total), total } : null,
    removed: progress.removed ?? null,
    createdAt: request.createdAt,
    completedAt: request.completedAt,
    expiresAt: request.resultExpiresAt,
    downloadPath:
      request.kind === 'EXPORT' && request.status === 'COMPLETED' && expires !== null && expires > now
        ? exportLink(secret, request, expires)
        : null,
    error: request.error,
  };
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Stores a request made by the actor, with its audit entry. */
async function createRequest(
  tx: Tx,
  actor: OrgActor,
  data: Omit<Prisma.GdprRequestUncheckedCreateInput, 'orgId' | 'requestedByType' | 'requestedById'>,
  action: string,
  metadata: Record<string, unknown>,
) {
  const created = await tx.gdprRequest.create({
    data: {
      ...data,
      orgId: actor.orgId,
      requestedByType: actor.audit.type,
      requestedById: actor.audit.type === 'SYSTEM' ? null : actor.audit.id,
    },
  });
  await recordAudit(tx, actor.orgId, actor.audit, action, { type: 'gdpr_request', id: created.id }, metadata);
  return created;
}

async function appOf(prisma: PrismaClient, actor: OrgActor, appId: number) {
  const app = Number.isSafeInteger(appId)
    ? await prisma.app.findFirst({
        where: { id: appId, orgId: actor.orgId, deletedAt: null },
        select: { id: true, name: true, bundleId: true, deviceIdSalt: true },
      })
    : null;
  if (!app) throw new AppError('NOT_FOUND', `app ${appId} not found`);
  return app;
}

/**
 * Export or delete one end user's data on their behalf. A device id is taken as the SDK
 * sent it (hashed here with the app's salt, as ingestion does); the stored hash, as the
 * portal shows it, is accepted too. Asking again while a request is open (or an export is
 * still downloadable) returns that request. Deleting revokes the device's tokens at once:
 * the caller drops `revokedTokenHashes` from the credential cache.
 */
export async function requestSubjectAs(
  prisma: PrismaClient,
  actor: OrgActor,
  input: SubjectRequestInput,
  secret: string,
  now = Date.now(),
): Promise<{ request: PrivacyRequestView; queue: boolean; revokedTokenHashes: string[] }> {
  assertCan(actor.role, 'privacy.manage');
  const data = parseInput(subjectRequestInput, input);
  const app = await appOf(prisma, actor, data.appId);
  let subjectType: 'DEVICE' | 'USER' = 'USER';
  let subjectKey = data.userId ?? '';
  if (data.deviceId !== undefined) {
    subjectType = 'DEVICE';
    subjectKey = hashDeviceId(app.deviceIdSalt, data.deviceId);
    if (/^[0-9a-f]{64}$/.test(data.deviceId)) {
      const stored = await prisma.device.findFirst({
        where: { orgId: actor.orgId, appId: app.id, deviceIdHash: { in: [subjectKey, data.deviceId] } },
        select: { deviceIdHash: true },
        orderBy: { lastSeenAt: 'desc' },
      });
      if (stored) subjectKey = stored.deviceIdHash;
    }
  }
  const subject = {
    orgId: actor.orgId,
    appId: app.id,
    kind: data.kind,
    scope: 'SUBJECT' as const,
    subjectType,
    subjectKey,
  };
  return prisma.$transaction(async (tx) => {
    let revokedTokenHashes: string[] = [];
    if (data.kind === 'DELETE' && subjectType === 'DEVICE') {
      const device = await tx.device.findFirst({
        where: { orgId: actor.orgId, appId: app.id, deviceIdHash: subjectKey },
        select: { id: true },
      });
      if (device) {
        const where = { orgId: actor.orgId, appId: app.id, deviceId: device.id, revokedAt: null };
        revokedTokenHashes = (await tx.deviceToken.findMany({ where, select: { tokenHash: true } })).map(
          (t) => t.tokenHash,
        );
        await tx.deviceToken.updateMany({ where, data: { revokedAt: new Date(now) } });
      }
    }
    const open = await tx.gdprRequest.findFirst({
      where: {
        ...subject,
        OR: [
          { status: { in: ['PENDING', 'RUNNING'] } },
          ...(data.kind === 'EXPORT' ? [{ status: 'COMPLETED' as const, resultExpiresAt: { gt: new Date(now) } }] : []),
        ],
      },
      orderBy: { createdAt: 'desc' },
    });
    if (open) return { request: view(open, secret, now), queue: open.status !== 'COMPLETED', revokedTokenHashes };
    const created = await createRequest(
      tx,
      actor,
      { ...subject, resultExpiresAt: data.kind === 'EXPORT' ? new Date(now + EXPORT_TTL_MS) : null },
      data.kind === 'DELETE' ? 'gdpr.delete_requested' : 'gdpr.export_requested',
      { appId: app.id, subjectType, onBehalfOfSubject: true },
    );
    return { request: view(created, secret, now), queue: true, revokedTokenHashes };
  });
}

/**
 * "Delete this app's data": every event, session, crash report and group, rollup and
 * export of the app goes; the app, its keys, settings and alert rules stay, and so do its
 * device registrations with their consent choices. The confirmation must repeat the app's
 * name — a slip of the mouse deletes nothing.
 */
export async function deleteAppDataAs(
  prisma: PrismaClient,
  actor: OrgActor,
  input: DeleteAppDataInput,
  secret: string,
): Promise<{ request: PrivacyRequestView; queue: boolean }> {
  assertCan(actor.role, 'privacy.manage');
  const data = parseInput(deleteAppDataInput, input);
  const app = await appOf(prisma, actor, data.appId);
  if (data.confirm.trim() !== app.name) {
    throw new AppError('BAD_REQUEST', `to confirm, type the app's name exactly: ${app.name}`, [
      { path: 'confirm', message: `must be the app's name (${app.name})` },
    ]);
  }
  return prisma.$transaction(async (tx) => {
    const where = { orgId: actor.orgId, appId: app.id, kind: 'DELETE' as const, scope: 'APP' as const };
    const open = await tx.gdprRequest.findFirst({ where: { ...where, status: { in: ['PENDING', 'RUNNING'] } } });
    if (open) return { request: view(open, secret), queue: true };
    const created = await createRequest(tx, actor, where, 'gdpr.app_data_delete_requested', {
      appId: app.id,
      appName: app.name,
    });
    return { request: view(created, secret), queue: true };
  });
}

/** "Export this organization's data": one gzip JSON-lines bundle, downloadable for 24 hours. */
export async function exportOrgAs(
  prisma: PrismaClient,
  actor: OrgActor,
  secret: string,
  now = Date.now(),
): Promise<{ request: PrivacyRequestView; queue: boolean }> {
  assertCan(actor.role, 'privacy.manage');
  return prisma.$transaction(async (tx) => {
    const open = await tx.gdprRequest.findFirst({
      where: { orgId: actor.orgId, kind: 'EXPORT', scope: 'ORG', status: { in: ['PENDING', 'RUNNING'] } },
    });
    if (open) return { request: view(open, secret, now), queue: true };
    const created = await createRequest(
      tx,
      actor,
      { kind: 'EXPORT', scope: 'ORG', resultExpiresAt: new Date(now + EXPORT_TTL_MS) },
      'gdpr.org_export_requested',
      {},
    );
    return { request: view(created, secret, now), queue: true };
  });
}

/** The organization's GDPR requests, newest first — the device's own and the org's. */
export async function listPrivacyRequestsAs(
  prisma: PrismaClient,
  actor: OrgActor,
  input: ListPrivacyRequestsInput,
  secret: string,
): Promise<PrivacyRequestView[]> {
  assertCan(actor.role, 'privacy.manage');
  const data = parseInput(listPrivacyRequestsInput, input);
  if (data.appId !== undefined) await appOf(prisma, actor, data.appId);
  const rows = await prisma.gdprRequest.findMany({
    where: { orgId: actor.orgId, ...(data.appId !== undefined ? { appId: data.appId } : {}) },
    orderBy: { createdAt: 'desc' },
    take: data.limit,
  });
  return rows.map((r) => view(r, secret));
}

/** One request of the organization; another organization's id is not found. */
export async function getPrivacyRequestAs(
  prisma: PrismaClient,
  actor: OrgActor,
  id: string,
  secret: string,
): Promise<PrivacyRequestView> {
  assertCan(actor.role, 'privacy.manage');
  const request = isUuid(id) ? await prisma.gdprRequest.findFirst({ where: { id, orgId: actor.orgId } }) : null;
  if (!request) throw new AppError('NOT_FOUND', `privacy request ${id} not found`);
  return view(request, secret);
}

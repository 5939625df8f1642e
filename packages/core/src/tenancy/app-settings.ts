import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import type { CredentialResolver } from '../keys/resolver.ts';
import { recordAudit } from './audit.ts';
import type { OrgActor } from './members.ts';
import { assertCan } from './permissions.ts';
import { updateAppInput, type UpdateAppInput } from '../contracts/tenancy.ts';
import { parseInput } from './validate.ts';

const PUBLIC_APP_FIELDS = {
  id: true, orgId: true, name: true, bundleId: true, platform: true, allowedOrigins: true, sampleRate: true,
  rawEventRetentionDays: true, crashReportRetentionDays: true, aggregateRetentionDays: true, ipPolicy: true,
  scrubFields: true, analyticsOptIn: true, respectDoNotTrack: true, createdAt: true, updatedAt: true,
} as const;

/**
 * How long each plan may keep an app's data, in days. The seed's defaults (raw events 7,
 * crash reports 90, daily aggregates 2 years) are the free plan's ceiling.
 */
export const RETENTION_LIMITS = {
  FREE: { rawEventRetentionDays: 7, crashReportRetentionDays: 90, aggregateRetentionDays: 730 },
  TEAM: { rawEventRetentionDays: 30, crashReportRetentionDays: 180, aggregateRetentionDays: 1095 },
  BUSINESS: { rawEventRetentionDays: 90, crashReportRetentionDays: 365, aggregateRetentionDays: 1825 },
  ENTERPRISE: { rawEventRetentionDays: 365, crashReportRetentionDays: 365, aggregateRetentionDays: 3650 },
} as const;

async function findApp(prisma: PrismaClient, orgId: string, appId: number) {
  const app = Number.isSafeInteger(appId)
    ? await prisma.app.findFirst({ where: { id: appId, orgId, deletedAt: null }, select: PUBLIC_APP_FIELDS })
    : null;
  if (!app) throw new AppError('NOT_FOUND', `app ${appId} not found`);
  return app;
}

/** The app an URL names in the org, by id or bundle id (REST `:id`); 404 otherwise. */
export async function resolveAppRef(prisma: PrismaClient, orgId: string, ref: string): Promise<number> {
  const app = await prisma.app.findFirst({
    where: { orgId, deletedAt: null, ...(/^\d{1,9}$/.test(ref) ? { id: Number(ref) } : { bundleId: ref }) },
    select: { id: true },
  });
  if (!app) throw new AppError('NOT_FOUND', `app ${ref} not found`);
  return app.id;
}

export async function listApps(prisma: PrismaClient, actor: OrgActor) {
  assertCan(actor.role, 'app.read');
  return prisma.app.findMany({ where: { orgId: actor.orgId, deletedAt: null }, select: PUBLIC_APP_FIELDS, orderBy: { id: 'asc' } });
}

export async function getApp(prisma: PrismaClient, actor: OrgActor, appId: number) {
  assertCan(actor.role, 'app.read');
  return findApp(prisma, actor.orgId, appId);
}

export async function updateApp(prisma: PrismaClient, actor: OrgActor, appId: number, input: UpdateAppInput) {
  assertCan(actor.role, 'app.update');
  const data = parseInput(updateAppInput, input);
  const app = await findApp(prisma, actor.orgId, appId);
  const retention = (['rawEventRetentionDays', 'crashReportRetentionDays', 'aggregateRetentionDays'] as const).filter(
    (field) => data[field] !== undefined,
  );
  if (retention.length > 0) {
    const { plan } = await prisma.organization.findUniqueOrThrow({ where: { id: actor.orgId }, select: { plan: true } });
    for (const field of retention) {
      const limit = RETENTION_LIMITS[plan][field];
      if (data[field]! > limit) {
        throw new AppError('BAD_REQUEST', `invalid input: ${field} may be at most ${limit} days on the ${plan} plan`);
      }
    }
  }
  if (data.allowedOrigins) data.allowedOrigins = [...new Set(data.allowedOrigins.map((o) => new URL(o).origin))];
  return prisma.$transaction(async (tx) => {
    const updated = await tx.app.update({ where: { id: app.id }, data, select: PUBLIC_APP_FIELDS });
    await recordAudit(tx, actor.orgId, actor.audit, 'app.updated', { type: 'app', id: String(app.id) }, { fields: Object.keys(data) });
    return updated;
  });
}

/** Deletes an app: its keys stop working at once; its data goes with the retention job. */
export async function deleteApp(prisma: PrismaClient, resolver: CredentialResolver, actor: OrgActor, appId: number): Promise<void> {
  assertCan(actor.role, 'app.delete');
  const app = await findApp(prisma, actor.orgId, appId);
  const keys = await prisma.$transaction(async (tx) => {
    const now = new Date();
    await tx.app.update({ where: { id: app.id }, data: { deletedAt: now } });
    const ingest = await tx.ingestKey.findMany({ where: { appId: app.id, revokedAt: null }, select: { keyHash: true } });
    const devices = await tx.deviceToken.findMany({ where: { appId: app.id, revokedAt: null }, select: { tokenHash: true } });
    await tx.ingestKey.updateMany({ where: { appId: app.id, revokedAt: null }, data: { revokedAt: now } });
    await tx.deviceToken.updateMany({ where: { appId: app.id, revokedAt: null }, data: { revokedAt: now } });
    await recordAudit(tx, actor.orgId, actor.audit, 'app.deleted', { type: 'app', id: String(app.id) }, { name: app.name });
    return [...ingest.map((k) => k.keyHash), ...devices.map((d) => d.tokenHash)];
  });
  await Promise.all(keys.map((hash) => resolver.invalidate(hash)));
}

/** The org's secret keys, without anything secret: for the keys page. */
export async function listApiKeys(prisma: PrismaClient, actor: OrgActor) {
  assertCan(actor.role, 'apiKey.read');
  return prisma.apiKey.findMany({
    where: { orgId: actor.orgId },
    select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true },
    orderBy: { createdAt: 'desc' },
  });
}

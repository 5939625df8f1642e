import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { CredentialResolver } from '../keys/resolver.ts';
import { recordAudit } from './audit.ts';
import { parseInput } from './validate.ts';
import { suspendInput, updatePlanInput, type SuspendInput, type UpdatePlanInput } from '../contracts/tenancy.ts';

// The operators of an installation manage tenants (plan, quota, suspension) but see no
// telemetry: nothing here reads events, crashes or rollups.

export interface PlatformAdmin {
  userId: string;
}

export async function requirePlatformAdmin(prisma: PrismaClient, userId: string): Promise<PlatformAdmin> {
  const user = isUuid(userId)
    ? await prisma.user.findUnique({ where: { id: userId }, select: { isPlatformAdmin: true } })
    : null;
  if (!user?.isPlatformAdmin)
    throw new AppError('FORBIDDEN', 'this page is for the operators of this Sightline installation');
  return { userId };
}

const monthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const latest = (...dates: Array<Date | null | undefined>): Date | null =>
  dates.reduce<Date | null>((a, d) => (d && (!a || d > a) ? d : a), null);

/** Every live organization with its members, apps, plan, this month's usage and last activity. */
export async function listOrganizationsForAdmin(prisma: PrismaClient, admin: PlatformAdmin) {
  await requirePlatformAdmin(prisma, admin.userId);
  const month = monthStart(new Date());
  const [orgs, usage, audit, apiKeys, ingestKeys] = await Promise.all([
    prisma.organization.findMany({
      where: { deletedAt: null },
      orderBy: { createdAt: 'asc' },
      include: {
        memberships: { select: { role: true, user: { select: { email: true } } }, orderBy: { createdAt: 'asc' } },
        apps: { where: { deletedAt: null }, select: { id: true, name: true, bundleId: true }, orderBy: { id: 'asc' } },
      },
    }),
    prisma.usageCounter.findMany({ where: { month } }),
    prisma.auditLog.groupBy({ by: ['orgId'], _max: { createdAt: true } }),
    prisma.apiKey.groupBy({ by: ['orgId'], _max: { lastUsedAt: true } }),
    prisma.ingestKey.groupBy({ by: ['orgId'], _max: { lastUsedAt: true } }),
  ]);
  const byOrg = <T extends { orgId: string }>(rows: T[]) => new Map(rows.map((r) => [r.orgId, r]));
  const usageOf = byOrg(usage);
  const auditOf = byOrg(audit);
  const apiKeyOf = byOrg(apiKeys);
  const ingestKeyOf = byOrg(ingestKeys);
  return orgs.map((org) => {
    const u = usageOf.get(org.id);
    return {
      id: org.id,
      name: org.name,
      slug: org.slug,
      plan: org.plan,
      monthlyEventQuota: Number(org.monthlyEventQuota),
      monthlyCrashQuota: Number(org.monthlyCrashQuota),
      suspended: org.suspended,
      suspendedReason: org.suspendedReason,
      createdAt: org.createdAt,
      members: org.memberships.map((m) => ({ email: m.user.email, role: m.role })),
      apps: org.apps,
      usage: {
        month: month.toISOString().slice(0, 7),
        accepted: Number((u?.eventsAccepted ?? 0n) + (u?.crashesAccepted ?? 0n)),
        rejected: Number(u?.eventsDropped ?? 0n),
        crashes: Number(u?.crashesAccepted ?? 0n),
      },
      lastActivityAt: latest(
        auditOf.get(org.id)?._max.createdAt,
        apiKeyOf.get(org.id)?._max.lastUsedAt,
        ingestKeyOf.get(org.id)?._max.lastUsedAt,
        u?.updatedAt,
      ),
    };
  });
}

async function requireOrg(prisma: PrismaClient, orgId: string) {
  const org = isUuid(orgId) ? await prisma.organization.findFirst({ where: { id: orgId, deletedAt: null } }) : null;
  if (!org) throw new AppError('NOT_FOUND', `organization ${orgId} not found`);
  return org;
}

export async function updateOrganizationPlan(
  prisma: PrismaClient,
  admin: PlatformAdmin,
  orgId: string,
  input: UpdatePlanInput,
) {
  await requirePlatformAdmin(prisma, admin.userId);
  const data = parseInput(updatePlanInput, input);
  const before = await requireOrg(prisma, orgId);
  return prisma.$transaction(async (tx) => {
    const org = await tx.organization.update({
      where: { id: before.id },
      data: {
        plan: data.plan,
        monthlyEventQuota: BigInt(data.monthlyEventQuota),
        ...(data.monthlyCrashQuota === undefined ? {} : { monthlyCrashQuota: BigInt(data.monthlyCrashQuota) }),
      },
    });
    await recordAudit(
      tx,
      org.id,
      { type: 'USER', id: admin.userId },
      'platform.plan_changed',
      { type: 'organization', id: org.id },
      {
        platformAdmin: true,
        from: {
          plan: before.plan,
          monthlyEventQuota: Number(before.monthlyEventQuota),
          ...(data.monthlyCrashQuota === undefined ? {} : { monthlyCrashQuota: Number(before.monthlyCrashQuota) }),
        },
        to: data,
      },
    );
    return {
      id: org.id,
      plan: org.plan,
      monthlyEventQuota: Number(org.monthlyEventQuota),
      ...(data.monthlyCrashQuota === undefined ? {} : { monthlyCrashQuota: Number(org.monthlyCrashQuota) }),
    };
  });
}

/** Suspends (keys refused with 403, members told why) or lifts it; nothing is deleted. */
export async function setOrganizationSuspended(
  prisma: PrismaClient,
  resolver: Pick<CredentialResolver, 'invalidateOrg'>,
  admin: PlatformAdmin,
  orgId: string,
  input: SuspendInput,
) {
  await requirePlatformAdmin(prisma, admin.userId);
  const data = parseInput(suspendInput, input);
  const org = await requireOrg(prisma, orgId);
  const reason = data.suspended ? (data.reason ?? null) : null;
  await prisma.$transaction(async (tx) => {
    await tx.organization.update({
      where: { id: org.id },
      data: { suspended: data.suspended, suspendedReason: reason },
    });
    await recordAudit(
      tx,
      org.id,
      { type: 'USER', id: admin.userId },
      data.suspended ? 'platform.org_suspended' : 'platform.org_unsuspended',
      { type: 'organization', id: org.id },
      { platformAdmin: true, reason },
    );
  });
  // After the commit, so no process can re-cache the old state from a stale read.
  await resolver.invalidateOrg(org.id);
  return { id: org.id, suspended: data.suspended, suspendedReason: reason };
}

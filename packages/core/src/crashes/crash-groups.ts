import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { recordAudit } from '../tenancy/audit.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { assertCan } from '../tenancy/permissions.ts';
import { parseInput } from '../tenancy/validate.ts';
import {
  crashCommentInput,
  listCrashGroupsInput,
  updateCrashGroupInput,
  type CrashCommentInput,
  type ListCrashGroupsInput,
  type UpdateCrashGroupInput,
} from '../contracts/crashes.ts';

// Crash groups as people work with them: list and filter, look at one, resolve (maybe "in
// version X"), ignore (forever or until N more occurrences), reopen, assign, comment.
// Tenant first: every query names the actor's org and an app of that org.

const GROUP_FIELDS = {
  id: true,
  appId: true,
  fingerprint: true,
  fingerprintVersion: true,
  crashType: true,
  message: true,
  culprit: true,
  level: true,
  unhandledCount: true,
  status: true,
  firstSeenAt: true,
  lastSeenAt: true,
  occurrenceCount: true,
  affectedDeviceCount: true,
  affectedVersions: true,
  firstVersion: true,
  lastVersion: true,
  resolvedAt: true,
  resolvedInVersion: true,
  ignoredUntilCount: true,
  regressedAt: true,
  assigneeId: true,
} as const;

type GroupRow = { occurrenceCount: bigint; unhandledCount: bigint; ignoredUntilCount: bigint | null } & Record<
  string,
  unknown
>;

/** BigInt counters as numbers: JSON, tRPC and GraphQL carry them as such. */
function present<T extends GroupRow>(
  group: T,
): Omit<T, 'occurrenceCount' | 'unhandledCount' | 'ignoredUntilCount'> & {
  occurrenceCount: number;
  unhandledCount: number;
  ignoredUntilCount: number | null;
} {
  return {
    ...group,
    occurrenceCount: Number(group.occurrenceCount),
    unhandledCount: Number(group.unhandledCount),
    ignoredUntilCount: group.ignoredUntilCount === null ? null : Number(group.ignoredUntilCount),
  };
}

async function requireApp(prisma: PrismaClient, orgId: string, appId: number): Promise<void> {
  const app = Number.isSafeInteger(appId)
    ? await prisma.app.findFirst({ where: { id: appId, orgId, deletedAt: null }, select: { id: true } })
    : null;
  if (!app) throw new AppError('NOT_FOUND', `app ${appId} not found`);
}

async function findGroup(prisma: PrismaClient, orgId: string, appId: number, fingerprint: string) {
  await requireApp(prisma, orgId, appId);
  const group = await prisma.crashGroup.findFirst({ where: { orgId, appId, fingerprint }, select: GROUP_FIELDS });
  if (!group) throw new AppError('NOT_FOUND', `crash group ${fingerprint} not found`);
  return group;
}

export async function listCrashGroups(prisma: PrismaClient, actor: OrgActor, appId: number, input: ListCrashGroupsInput = {}) {
  assertCan(actor.role, 'telemetry.read');
  const q = parseInput(listCrashGroupsInput, input);
  await requireApp(prisma, actor.orgId, appId);
  const where = {
    orgId: actor.orgId,
    appId,
    ...(q.status ? { status: q.status } : {}),
    ...(q.version ? { affectedVersions: { has: q.version } } : {}),
    ...(q.search
      ? {
          OR: [
            { message: { contains: q.search, mode: 'insensitive' as const } },
            { crashType: { contains: q.search, mode: 'insensitive' as const } },
            { culprit: { contains: q.search, mode: 'insensitive' as const } },
          ],
        }
      : {}),
  };
  const orderBy =
    q.sort === 'occurrences'
      ? [{ occurrenceCount: 'desc' as const }, { id: 'asc' as const }]
      : q.sort === 'users'
        ? [{ affectedDeviceCount: 'desc' as const }, { id: 'asc' as const }]
        : q.sort === 'first_seen'
          ? [{ firstSeenAt: 'desc' as const }, { id: 'asc' as const }]
          : [{ lastSeenAt: 'desc' as const }, { id: 'asc' as const }];
  const [groups, total] = await Promise.all([
    prisma.crashGroup.findMany({ where, orderBy, skip: (q.page - 1) * q.limit, take: q.limit, select: GROUP_FIELDS }),
    prisma.crashGroup.count({ where }),
  ]);
  return { groups: groups.map(present), page: q.page, limit: q.limit, total };
}

/** Days of history the crash group page charts. */
export const CRASH_TREND_DAYS = 30;

/**
 * How a group has been doing over the last days: occurrences and devices per UTC day
 * (every day present, zero when quiet), and the versions and devices it hit most.
 */
async function crashGroupTrend(prisma: PrismaClient, orgId: string, appId: number, groupId: string, now = Date.now()) {
  const today = Math.floor(now / 86_400_000);
  const since = new Date((today - CRASH_TREND_DAYS + 1) * 86_400_000);
  const [days, versions, devices] = await Promise.all([
    prisma.$queryRaw<Array<{ day: Date; occurrences: number; devices: number }>>`
      SELECT date_trunc('day', occurred_at, 'UTC') AS day, count(*)::int AS occurrences,
        count(DISTINCT device_id)::int AS devices
      FROM crash_reports
      WHERE org_id = ${orgId}::uuid AND app_id = ${appId} AND group_id = ${groupId}::uuid AND occurred_at >= ${since}
      GROUP BY 1`,
    prisma.$queryRaw<Array<{ version: string | null; occurrences: number }>>`
      SELECT app_version AS version, count(*)::int AS occurrences
      FROM crash_reports
      WHERE org_id = ${orgId}::uuid AND app_id = ${appId} AND group_id = ${groupId}::uuid AND occurred_at >= ${since}
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
    prisma.$queryRaw<Array<{ device: string | null; os: string | null; occurrences: number; devices: number }>>`
      SELECT COALESCE(device_model, browser) AS device, os, count(*)::int AS occurrences,
        count(DISTINCT device_id)::int AS devices
      FROM crash_reports
      WHERE org_id = ${orgId}::uuid AND app_id = ${appId} AND group_id = ${groupId}::uuid AND occurred_at >= ${since}
      GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10`,
  ]);
  const byDay = new Map(days.map((d) => [Math.floor(d.day.getTime() / 86_400_000), d]));
  return {
    daily: Array.from({ length: CRASH_TREND_DAYS }, (_, i) => {
      const day = today - CRASH_TREND_DAYS + 1 + i;
      const row = byDay.get(day);
      return {
        day: new Date(day * 86_400_000).toISOString().slice(0, 10),
        occurrences: row?.occurrences ?? 0,
        devices: row?.devices ?? 0,
      };
    }),
    versions,
    devices,
  };
}

/** One group with its sample stack, trend, top versions and devices, recent occurrences (with context) and comments. */
export async function getCrashGroup(prisma: PrismaClient, actor: OrgActor, appId: number, fingerprint: string) {
  assertCan(actor.role, 'telemetry.read');
  const group = await findGroup(prisma, actor.orgId, appId, fingerprint);
  const [detail, recent, comments, trend] = await Promise.all([
    prisma.crashGroup.findUniqueOrThrow({
      where: { id: group.id },
      select: { sampleStackTrace: true, sampleFrames: true },
    }),
    prisma.crashReport.findMany({
      where: { orgId: actor.orgId, appId, groupId: group.id },
      orderBy: { occurredAt: 'desc' },
      take: 20,
      select: {
        id: true,
        occurredAt: true,
        appVersion: true,
        environment: true,
        os: true,
        osVersion: true,
        browser: true,
        deviceModel: true,
        handled: true,
        message: true,
        context: true,
        breadcrumbs: true,
        tags: true,
        source: true,
      },
    }),
    prisma.crashGroupComment.findMany({
      where: { orgId: actor.orgId, groupId: group.id },
      orderBy: { createdAt: 'asc' },
      select: { id: true, body: true, createdAt: true, authorId: true },
    }),
    crashGroupTrend(prisma, actor.orgId, appId, group.id),
  ]);
  return { ...present(group), ...detail, ...trend, recentReports: recent, comments };
}

export async function updateCrashGroup(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  fingerprint: string,
  input: UpdateCrashGroupInput,
) {
  assertCan(actor.role, 'crash.update');
  const change = parseInput(updateCrashGroupInput, input);
  const group = await findGroup(prisma, actor.orgId, appId, fingerprint);
  if (change.assigneeId) {
    const member = await prisma.membership.findFirst({ where: { orgId: actor.orgId, userId: change.assigneeId } });
    if (!member) throw new AppError('NOT_FOUND', `user ${change.assigneeId} is not a member of this organization`);
  }
  const data = {
    ...(change.assigneeId !== undefined ? { assigneeId: change.assigneeId } : {}),
    ...(change.status === 'resolved'
      ? {
          status: 'resolved' as const,
          resolvedAt: new Date(),
          resolvedInVersion: change.resolvedInVersion ?? null,
          ignoredUntilCount: null,
        }
      : change.status === 'ignored'
        ? {
            status: 'ignored' as const,
            ignoredUntilCount: change.ignoreForOccurrences
              ? group.occurrenceCount + BigInt(change.ignoreForOccurrences)
              : null,
          }
        : change.status === 'open'
          ? { status: 'open' as const, resolvedAt: null, resolvedInVersion: null, ignoredUntilCount: null }
          : {}),
  };
  return prisma.$transaction(async (tx) => {
    const updated = await tx.crashGroup.update({ where: { id: group.id }, data, select: GROUP_FIELDS });
    await recordAudit(
      tx,
      actor.orgId,
      actor.audit,
      'crash_group.updated',
      { type: 'crash_group', id: group.id },
      {
        appId,
        fingerprint,
        ...change,
      },
    );
    return present(updated);
  });
}

export async function commentOnCrashGroup(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  fingerprint: string,
  input: CrashCommentInput,
) {
  assertCan(actor.role, 'crash.comment');
  const { body } = parseInput(crashCommentInput, input);
  const group = await findGroup(prisma, actor.orgId, appId, fingerprint);
  return prisma.crashGroupComment.create({
    data: { orgId: actor.orgId, groupId: group.id, authorId: actor.userId ?? null, body },
    select: { id: true, body: true, createdAt: true, authorId: true },
  });
}

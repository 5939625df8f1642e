import type { Prisma, PrismaClient } from '@sightline/db';
import { assertCan, type Role } from './permissions.ts';

export type Actor =
  | { type: 'SYSTEM' }
  | { type: 'USER'; id: string }
  | { type: 'API_KEY'; id: string }
  | { type: 'DEVICE'; id: string };

type AuditWriter = { auditLog: { create(args: { data: Prisma.AuditLogUncheckedCreateInput }): Promise<unknown> } };

/** Appends one security-relevant action to the org's audit log. */
export async function recordAudit(
  db: AuditWriter,
  orgId: string,
  actor: Actor,
  action: string,
  target: { type: string; id: string } | null = null,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  await db.auditLog.create({
    data: {
      orgId,
      actorType: actor.type,
      actorId: actor.type === 'SYSTEM' ? null : actor.id,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      metadata: metadata as Prisma.InputJsonValue,
    },
  });
}

/** The org's audit log, newest first (ADMIN+). */
export async function listAuditLog(prisma: PrismaClient, actor: { orgId: string; role: Role }, limit = 50) {
  assertCan(actor.role, 'audit.read');
  return prisma.auditLog.findMany({
    where: { orgId: actor.orgId },
    orderBy: { createdAt: 'desc' },
    take: Math.max(1, Math.min(500, Math.trunc(limit) || 50)),
  });
}

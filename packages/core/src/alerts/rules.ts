import { Prisma, type PrismaClient } from '@sightline/db';
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { recordAudit } from '../tenancy/audit.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { assertCan } from '../tenancy/permissions.ts';
import { parseInput } from '../tenancy/validate.ts';
import { alertRuleInput } from '../contracts/alerts.ts';

const RULE_FIELDS = {
  id: true,
  appId: true,
  name: true,
  kind: true,
  conditions: true,
  enabled: true,
  throttleMinutes: true,
  digestMinutes: true,
  quietHours: true,
  lastTriggeredAt: true,
  createdAt: true,
  channels: { select: { channelId: true } },
} as const;

/** An alert rule of an app (or, without an app, of every app of the org) sending to its channels. */
export async function createAlertRule(prisma: PrismaClient, actor: OrgActor, input: z.input<typeof alertRuleInput>) {
  assertCan(actor.role, 'alert.manage');
  const rule = parseInput(alertRuleInput, input);
  if (rule.appId !== null) {
    const app = await prisma.app.findFirst({ where: { id: rule.appId, orgId: actor.orgId, deletedAt: null } });
    if (!app) throw new AppError('NOT_FOUND', `app ${rule.appId} not found`);
  }
  const channels = await prisma.notificationChannel.count({
    where: { orgId: actor.orgId, id: { in: rule.channelIds } },
  });
  if (channels !== new Set(rule.channelIds).size) throw new AppError('NOT_FOUND', 'one of the channels was not found');
  return prisma.$transaction(async (tx) => {
    const created = await tx.alertRule.create({
      data: {
        orgId: actor.orgId,
        appId: rule.appId,
        name: rule.name,
        kind: rule.kind,
        conditions: rule.conditions,
        throttleMinutes: rule.throttleMinutes,
        digestMinutes: rule.digestMinutes,
        quietHours: rule.quietHours ?? Prisma.DbNull,
        createdById: actor.userId ?? null,
        channels: { create: [...new Set(rule.channelIds)].map((channelId) => ({ orgId: actor.orgId, channelId })) },
      },
      select: RULE_FIELDS,
    });
    await recordAudit(
      tx,
      actor.orgId,
      actor.audit,
      'alert_rule.created',
      { type: 'alert_rule', id: created.id },
      { kind: rule.kind },
    );
    return created;
  });
}

export async function listAlertRules(prisma: PrismaClient, actor: OrgActor) {
  assertCan(actor.role, 'telemetry.read');
  return prisma.alertRule.findMany({
    where: { orgId: actor.orgId },
    orderBy: { createdAt: 'asc' },
    select: RULE_FIELDS,
  });
}

export async function deleteAlertRule(prisma: PrismaClient, actor: OrgActor, ruleId: string): Promise<void> {
  assertCan(actor.role, 'alert.manage');
  const rule = isUuid(ruleId) ? await prisma.alertRule.findFirst({ where: { id: ruleId, orgId: actor.orgId } }) : null;
  if (!rule) throw new AppError('NOT_FOUND', `alert rule ${ruleId} not found`);
  await prisma.$transaction(async (tx) => {
    await tx.alertRule.delete({ where: { id: rule.id } });
    await recordAudit(tx, actor.orgId, actor.audit, 'alert_rule.deleted', { type: 'alert_rule', id: rule.id }, {});
  });
}

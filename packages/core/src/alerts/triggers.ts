import type { PrismaClient } from '@sightline/db';
import type { GroupOutcome } from '../crashes/group-crashes.ts';
import type { AlertKind } from '../contracts/alerts.ts';
import { recordAlert } from './record.ts';

// Which alerts a batch of grouped crashes triggers: one delivery per rule and channel,
// deduplicated per group and time window (record.ts). What is to go out now is returned
// for the delivery queue.

export interface AlertPayload {
  kind: AlertKind | 'TEST' | 'DIGEST';
  title: string;
  text: string;
  link: string | null;
  app: { id: number; name: string } | null;
  group: {
    fingerprint: string;
    crashType: string;
    message: string | null;
    culprit: string | null;
    occurrences: number;
    status: string;
    lastVersion: string | null;
  } | null;
  /** Metric rules: what was measured against what. */
  metric?: { name: string; value: number; threshold: number; windowMinutes: number; samples: number };
  /** DIGEST: the alerts it summarises, oldest first. */
  items?: Array<Pick<AlertPayload, 'kind' | 'title' | 'text' | 'link'> & { at: string }>;
}

const TITLES: Record<'NEW_CRASH_GROUP' | 'REGRESSION' | 'CRASH_SPIKE', string> = {
  NEW_CRASH_GROUP: 'New crash',
  REGRESSION: 'Crash regressed',
  CRASH_SPIKE: 'Crash spike',
};

interface Trigger {
  kind: keyof typeof TITLES;
  windowKey: string;
  detail: string;
}

/** What each rule kind says about one group's outcome (spikes need counts from the database). */
async function triggersFor(
  prisma: PrismaClient,
  rule: { kind: string; conditions: unknown; throttleMinutes: number },
  outcome: GroupOutcome,
  status: string,
  now: number,
): Promise<Trigger | null> {
  const window = Math.floor(now / (rule.throttleMinutes * 60_000));
  if (rule.kind === 'NEW_CRASH_GROUP' && outcome.created) {
    return { kind: 'NEW_CRASH_GROUP', windowKey: 'new', detail: 'first seen just now' };
  }
  if (rule.kind === 'REGRESSION' && (outcome.regressed || outcome.unignored)) {
    return {
      kind: 'REGRESSION',
      windowKey: `${outcome.regressed ? 'regressed' : 'unignored'}:${window}`,
      detail: outcome.regressed ? 'seen again after it was resolved' : 'passed the count it was ignored until',
    };
  }
  if (rule.kind === 'CRASH_SPIKE' && status !== 'ignored' && status !== 'resolved') {
    const c = (rule.conditions ?? {}) as { threshold?: number; windowMinutes?: number; baselineFactor?: number };
    const minutes = c.windowMinutes ?? 60;
    const since = new Date(now - minutes * 60_000);
    const recent = await prisma.crashReport.count({
      where: { orgId: outcome.orgId, groupId: outcome.groupId, occurredAt: { gte: since } },
    });
    let fired = c.threshold !== undefined && recent >= c.threshold;
    if (!fired && c.baselineFactor !== undefined) {
      const day = await prisma.crashReport.count({
        where: {
          orgId: outcome.orgId,
          groupId: outcome.groupId,
          occurredAt: { gte: new Date(now - 86_400_000), lt: since },
        },
      });
      const expected = (day / 24) * (minutes / 60);
      fired = recent >= Math.max(c.threshold ?? 10, c.baselineFactor * expected);
    }
    if (fired) {
      return {
        kind: 'CRASH_SPIKE',
        windowKey: `spike:${Math.floor(now / (Math.max(minutes, rule.throttleMinutes) * 60_000))}`,
        detail: `${recent} occurrences in ${minutes} min`,
      };
    }
  }
  return null;
}

/** Delivery rows for the alerts this batch triggers; returns the ids of those to send now. */
export async function queueCrashAlerts(
  prisma: PrismaClient,
  outcomes: readonly GroupOutcome[],
  options: { webUrl: string; now?: number },
): Promise<string[]> {
  const now = options.now ?? Date.now();
  const created: string[] = [];
  const byApp = new Map<string, GroupOutcome[]>();
  for (const o of outcomes) byApp.set(`${o.orgId}:${o.appId}`, [...(byApp.get(`${o.orgId}:${o.appId}`) ?? []), o]);
  for (const group of byApp.values()) {
    const { orgId, appId } = group[0]!;
    const rules = await prisma.alertRule.findMany({
      where: {
        orgId,
        enabled: true,
        kind: { in: ['NEW_CRASH_GROUP', 'REGRESSION', 'CRASH_SPIKE'] },
        OR: [{ appId }, { appId: null }],
      },
      include: { channels: { include: { channel: { select: { id: true, enabled: true, flaggedAt: true } } } } },
    });
    if (rules.length === 0) continue;
    const app = await prisma.app.findFirst({ where: { id: appId, orgId }, select: { id: true, name: true } });
    const details = await prisma.crashGroup.findMany({
      where: { orgId, id: { in: group.map((o) => o.groupId) } },
      select: {
        id: true,
        fingerprint: true,
        crashType: true,
        message: true,
        culprit: true,
        occurrenceCount: true,
        status: true,
        lastVersion: true,
      },
    });
    const byId = new Map(details.map((d) => [d.id, d]));
    for (const outcome of group) {
      const g = byId.get(outcome.groupId);
      if (!g) continue;
      for (const rule of rules) {
        const trigger = await triggersFor(prisma, rule, outcome, g.status, now);
        if (!trigger) continue;
        const payload: AlertPayload = {
          kind: trigger.kind,
          title: `${TITLES[trigger.kind]} in ${app?.name ?? `app ${appId}`}: ${g.crashType}`,
          text: `${g.message ?? g.crashType}${g.culprit ? ` — ${g.culprit}` : ''} (${trigger.detail}; ${Number(g.occurrenceCount)} in total${g.lastVersion ? `, latest in ${g.lastVersion}` : ''})`,
          link: `${options.webUrl}/o/${orgId}/apps/${appId}/crashes/${g.fingerprint}`,
          app: app ?? null,
          group: {
            fingerprint: g.fingerprint,
            crashType: g.crashType,
            message: g.message,
            culprit: g.culprit,
            occurrences: Number(g.occurrenceCount),
            status: g.status,
            lastVersion: g.lastVersion,
          },
        };
        for (const { channel } of rule.channels) {
          if (!channel.enabled || channel.flaggedAt) continue;
          const id = await recordAlert(prisma, {
            orgId,
            rule,
            channelId: channel.id,
            crashGroupId: g.id,
            dedupeKey: `${rule.id}:${channel.id}:${g.id}:${trigger.windowKey}`,
            payload,
            now,
          });
          if (id) created.push(id);
        }
        await prisma.alertRule.update({ where: { id: rule.id }, data: { lastTriggeredAt: new Date(now) } });
      }
    }
  }
  return created;
}

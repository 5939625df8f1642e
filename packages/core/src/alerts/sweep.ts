import type { Prisma, PrismaClient } from '@sightline/db';
import type pg from 'pg';
import type { GroupOutcome } from '../crashes/group-crashes.ts';
import { evaluateMetricRules } from './metric-rules.ts';
import { inQuietHours, takeDigestGate } from './record.ts';
import { queueCrashAlerts, type AlertPayload } from './triggers.ts';

// The alert sweep, run every minute by the worker (and by any number of workers at once):
// it catches up on crash outcomes a dead worker left in the outbox, re-queues deliveries
// whose queue job was lost, sends the digests of windows and quiet hours that have ended,
// and evaluates the metric rules. Each step is safe to repeat and to run concurrently.

/** Outbox rows older than this were abandoned by their writer (it normally takes ms). */
const OUTBOX_GRACE_MS = 30_000;
/** A PENDING delivery never attempted after this long has lost its queue job. */
const STALE_PENDING_MS = 120_000;
const BATCH = 500;
const DIGEST_ITEMS_SHOWN = 20;

export interface SweepOptions {
  webUrl: string;
  now?: number;
}

/** In the crash batch's transaction: its outcomes, kept until their alerts are queued. Returns the outbox ids. */
export async function writeAlertOutbox(client: pg.ClientBase, outcomes: readonly GroupOutcome[]): Promise<string[]> {
  if (outcomes.length === 0) return [];
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO alert_outbox (org_id, app_id, group_id, created, regressed, unignored, occurrences)
     SELECT o."orgId", o."appId", o."groupId", o."created", o."regressed", o."unignored", o."occurrences"
     FROM jsonb_to_recordset($1::jsonb) AS o("orgId" uuid, "appId" int, "groupId" uuid, "created" boolean,
       "regressed" boolean, "unignored" boolean, "occurrences" int)
     RETURNING id`,
    [JSON.stringify(outcomes)],
  );
  return rows.map((r) => String(r.id));
}

/** Once the outcomes' alerts are queued. */
export async function clearAlertOutbox(pool: pg.Pool, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await pool.query('DELETE FROM alert_outbox WHERE id = ANY($1::bigint[])', [ids]);
}

/** Queues the alerts of crash outcomes whose writer died before it could; returns deliveries to send. */
export async function drainAlertOutbox(prisma: PrismaClient, options: SweepOptions & { graceMs?: number }) {
  const now = options.now ?? Date.now();
  const before = new Date(now - (options.graceMs ?? OUTBOX_GRACE_MS));
  return prisma.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<
        Array<{
          id: bigint;
          org_id: string;
          app_id: number;
          group_id: string;
          created: boolean;
          regressed: boolean;
          unignored: boolean;
          occurrences: number;
        }>
      >`SELECT * FROM alert_outbox WHERE created_at < ${before} ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
      if (rows.length === 0) return [];
      const outcomes: GroupOutcome[] = rows.map((r) => ({
        orgId: r.org_id,
        appId: r.app_id,
        groupId: r.group_id,
        fingerprint: '',
        created: r.created,
        regressed: r.regressed,
        unignored: r.unignored,
        occurrences: r.occurrences,
      }));
      // Rows stay locked (not deleted) until their deliveries exist: a crash here leaves them for the next sweep.
      const ids = await queueCrashAlerts(prisma, outcomes, { webUrl: options.webUrl, now });
      await tx.alertOutbox.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
      return ids;
    },
    { timeout: 60_000 },
  );
}

/** PENDING deliveries never attempted for minutes: their queue job was lost; queue them again. */
export async function stalePendingDeliveries(prisma: PrismaClient, now = Date.now()): Promise<string[]> {
  const rows = await prisma.notificationDelivery.findMany({
    where: { status: 'PENDING', attempts: 0, createdAt: { lt: new Date(now - STALE_PENDING_MS) } },
    select: { id: true },
    take: BATCH,
  });
  return rows.map((r) => r.id);
}

function digestPayload(rule: { name: string }, held: Array<{ payload: unknown; createdAt: Date }>): AlertPayload {
  const items = held.map((h) => {
    const p = h.payload as AlertPayload;
    return { kind: p.kind, title: p.title, text: p.text, link: p.link, app: p.app, at: h.createdAt.toISOString() };
  });
  const lines = items.slice(0, DIGEST_ITEMS_SHOWN).map((i) => `• ${i.title}${i.link ? ` — ${i.link}` : ''}`);
  if (items.length > DIGEST_ITEMS_SHOWN) lines.push(`…and ${items.length - DIGEST_ITEMS_SHOWN} more`);
  const first = held[0]!.payload as AlertPayload;
  return {
    kind: 'DIGEST',
    items: items.map(({ app: _app, ...item }) => item),
    title: `Digest: ${items.length} alerts from ${rule.name}`,
    text: lines.join('\n'),
    link: new Set(items.map((i) => i.link)).size === 1 ? first.link : null,
    app: new Set(items.map((i) => i.app?.id)).size === 1 ? first.app : null,
    group: null,
  };
}

/**
 * Sends what rules held back once their digest window or quiet hours are over: a single
 * held alert as itself, several as one digest that lists them.
 */
export async function releaseDigests(prisma: PrismaClient, now = Date.now()): Promise<string[]> {
  const pairs = await prisma.notificationDelivery.groupBy({
    by: ['orgId', 'ruleId', 'channelId'],
    where: { status: 'HELD' },
  });
  const send: string[] = [];
  for (const { orgId, ruleId, channelId } of pairs) {
    const rule = ruleId ? await prisma.alertRule.findFirst({ where: { id: ruleId, orgId } }) : null;
    if (!rule || !rule.enabled) {
      await prisma.notificationDelivery.updateMany({
        where: { orgId, ruleId, channelId, status: 'HELD' },
        data: { status: 'SUPPRESSED', lastError: rule ? 'its alert rule was disabled' : 'its alert rule was deleted' },
      });
      continue;
    }
    if (inQuietHours(rule.quietHours, now)) continue;
    if (!(await takeDigestGate(prisma, orgId, rule, channelId, now))) continue;
    const released = await prisma.$transaction(async (tx) => {
      const held = await tx.$queryRaw<Array<{ id: string; payload: unknown; created_at: Date }>>`
        SELECT id, payload, created_at FROM notification_deliveries
        WHERE org_id = ${orgId}::uuid AND rule_id = ${rule.id}::uuid AND channel_id = ${channelId}::uuid
          AND status = 'HELD'
        ORDER BY created_at, id
        FOR UPDATE SKIP LOCKED`;
      if (held.length === 0) return null;
      if (held.length === 1) {
        await tx.notificationDelivery.update({ where: { id: held[0]!.id }, data: { status: 'PENDING' } });
        return held[0]!.id;
      }
      const digest = await tx.notificationDelivery.create({
        data: {
          orgId,
          channelId,
          ruleId: rule.id,
          dedupeKey: `digest:${rule.id}:${channelId}:${held[0]!.id}`,
          payload: digestPayload(
            rule,
            held.map((h) => ({ payload: h.payload, createdAt: h.created_at })),
          ) as unknown as Prisma.InputJsonObject,
        },
        select: { id: true },
      });
      await tx.notificationDelivery.updateMany({
        where: { id: { in: held.map((h) => h.id) } },
        data: { status: 'DIGESTED', digestId: digest.id },
      });
      return digest.id;
    });
    if (released) send.push(released);
  }
  return send;
}

/** One pass of the sweep; returns the deliveries to queue. */
export async function runAlertSweep(prisma: PrismaClient, options: SweepOptions): Promise<string[]> {
  const now = options.now ?? Date.now();
  return [
    ...(await drainAlertOutbox(prisma, { ...options, now })),
    ...(await stalePendingDeliveries(prisma, now)),
    ...(await releaseDigests(prisma, now)),
    ...(await evaluateMetricRules(prisma, { ...options, now })),
  ];
}

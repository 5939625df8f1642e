import type { PrismaClient } from '@sightline/db';
import type { QuietHours } from '../contracts/alerts.ts';
import type { AlertPayload } from './triggers.ts';

// One alert for one channel becomes a delivery row. The dedupe key — rule, channel,
// subject, time window — sits under a unique index, so a burst, two writers at once or a
// retried batch make one row, never more. A rule's quiet hours and digest window decide
// whether it goes out now (PENDING, queued by the caller) or waits (HELD) for the digest
// that the sweep sends when the window closes.

export interface RuleSchedule {
  id: string;
  digestMinutes: number | null;
  quietHours: unknown;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timeZone`. */
function localMinutes(now: number, timeZone: string): number {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(now));
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

const clockMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls in the quiet hours (which may run over midnight: 22:00–07:00). */
export function inQuietHours(quietHours: unknown, now: number): boolean {
  const q = quietHours as QuietHours | null | undefined;
  if (!q?.start || !q.end) return false;
  const at = localMinutes(now, q.timeZone ?? 'UTC');
  const start = clockMinutes(q.start);
  const end = clockMinutes(q.end);
  return start < end ? at >= start && at < end : at >= start || at < end;
}

/**
 * Takes the rule's digest gate for a channel if it is open (nothing sent within the
 * digest window), closing it for the next window. Atomic: of two callers at once, one wins.
 */
export async function takeDigestGate(
  prisma: PrismaClient,
  orgId: string,
  rule: RuleSchedule,
  channelId: string,
  now: number,
): Promise<boolean> {
  if (rule.digestMinutes === null) return true;
  const taken = await prisma.$executeRaw`
    UPDATE alert_rule_channels SET next_send_at = ${new Date(now + rule.digestMinutes * 60_000)}
    WHERE org_id = ${orgId}::uuid AND rule_id = ${rule.id}::uuid AND channel_id = ${channelId}::uuid
      AND (next_send_at IS NULL OR next_send_at <= ${new Date(now)})`;
  return taken > 0;
}

/** Records one alert for one channel; returns the delivery id when it is to be sent now. */
export async function recordAlert(
  prisma: PrismaClient,
  alert: {
    orgId: string;
    rule: RuleSchedule;
    channelId: string;
    crashGroupId: string | null;
    dedupeKey: string;
    payload: AlertPayload;
    now: number;
  },
): Promise<string | null> {
  const { orgId, rule, channelId, now } = alert;
  const quiet = inQuietHours(rule.quietHours, now);
  const gated = quiet || rule.digestMinutes !== null;
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    INSERT INTO notification_deliveries (org_id, channel_id, rule_id, crash_group_id, dedupe_key, payload, status)
    VALUES (${orgId}::uuid, ${channelId}::uuid, ${rule.id}::uuid, ${alert.crashGroupId}::uuid,
      ${alert.dedupeKey}, ${JSON.stringify(alert.payload)}::jsonb,
      ${gated ? 'HELD' : 'PENDING'}::"DeliveryStatus")
    ON CONFLICT (org_id, dedupe_key) DO NOTHING
    RETURNING id`;
  const id = rows[0]?.id;
  if (!id || !gated) return id ?? null;
  if (quiet || !(await takeDigestGate(prisma, orgId, rule, channelId, now))) return null;
  await prisma.notificationDelivery.updateMany({ where: { id, status: 'HELD' }, data: { status: 'PENDING' } });
  return id;
}

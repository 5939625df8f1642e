import type { Redis } from 'ioredis';
import type pg from 'pg';

const USAGE_KEY = /:usage:([0-9a-f-]{36}):(\d{4}-\d{2}):(accepted|dropped|crashes)$/;

/**
 * Copies the orgs' monthly usage counters from Redis (where ingestion counts them, one
 * script per request) into usage_counters for the admin page. Values are absolute, so a
 * repeated flush changes nothing. Returns how many org-months were written.
 */
export async function flushUsageCounters(pool: pg.Pool, redis: Redis, namespace = 'sightline'): Promise<number> {
  const rows = new Map<string, { orgId: string; month: string; accepted: number; dropped: number; crashes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:usage:*`, 'COUNT', 500);
    cursor = next;
    const values = keys.length > 0 ? await redis.mget(...keys) : [];
    keys.forEach((key, i) => {
      const match = USAGE_KEY.exec(key);
      if (!match) return;
      const [, orgId, month, kind] = match as unknown as [string, string, string, 'accepted' | 'dropped' | 'crashes'];
      const row = rows.get(`${orgId}|${month}`) ?? { orgId, month, accepted: 0, dropped: 0, crashes: 0 };
      row[kind] = Number(values[i] ?? 0);
      rows.set(`${orgId}|${month}`, row);
    });
  } while (cursor !== '0');
  if (rows.size === 0) return 0;
  await pool.query(
    `INSERT INTO usage_counters (org_id, month, events_accepted, events_dropped, crashes_accepted, updated_at)
     SELECT u.org_id, (u.month || '-01')::date, u.accepted, u.dropped, u.crashes, now()
     FROM jsonb_to_recordset($1::jsonb) AS u(org_id uuid, month text, accepted bigint, dropped bigint, crashes bigint)
     WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = u.org_id)
     ON CONFLICT (org_id, month) DO UPDATE SET events_accepted = EXCLUDED.events_accepted,
       events_dropped = EXCLUDED.events_dropped, crashes_accepted = EXCLUDED.crashes_accepted, updated_at = now()`,
    [
      JSON.stringify(
        [...rows.values()].map((r) => ({
          org_id: r.orgId,
          month: r.month,
          accepted: r.accepted,
          dropped: r.dropped,
          crashes: r.crashes,
        })),
      ),
    ],
  );
  return rows.size;
}

import type { Redis } from 'ioredis';
import type pg from 'pg';
import { usageKeys } from './buffer.ts';

const USAGE_KEY = /:usage:([0-9a-f-]{36}):(\d{4}-\d{2}):(accepted|dropped|crashes)$/;
const KINDS = ['accepted', 'dropped', 'crashes'] as const;
/** As long as the append script keeps a month's counters (40 days). */
const COUNTER_TTL_SECONDS = 3_456_000;

// Raises counters that are below what PostgreSQL last saw, atomically per counter, so an
// increment that lands between our read and this write is never overwritten.
const RAISE_LUA = `
local raised = 0
for i, key in ipairs(KEYS) do
  local floor = tonumber(ARGV[i])
  if floor > tonumber(redis.call('GET', key) or '0') then
    redis.call('SET', key, floor, 'EX', ARGV[#ARGV])
    raised = raised + 1
  end
end
return raised
`;

interface UsageRow {
  orgId: string;
  month: string;
  accepted: number;
  dropped: number;
  crashes: number;
}

/**
 * Copies the orgs' monthly usage counters from Redis (where ingestion counts them, one
 * script per request) into usage_counters for the admin page and back. Counters only grow:
 * PostgreSQL keeps the larger of both values, and a Redis that lost its counters (restarted
 * without persistence) gets the current month's values back from PostgreSQL, so the monthly
 * quota does not reset. Repeating a flush changes nothing. Returns how many org-months were
 * written.
 */
export async function flushUsageCounters(
  pool: pg.Pool,
  redis: Redis,
  namespace = 'sightline',
  now: number = Date.now(),
): Promise<number> {
  const rows = new Map<string, UsageRow>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:usage:*`, 'COUNT', 500);
    cursor = next;
    const values = keys.length > 0 ? await redis.mget(...keys) : [];
    keys.forEach((key, i) => {
      const match = USAGE_KEY.exec(key);
      if (!match) return;
      const [, orgId, month, kind] = match as unknown as [string, string, string, (typeof KINDS)[number]];
      const row = rows.get(`${orgId}|${month}`) ?? { orgId, month, accepted: 0, dropped: 0, crashes: 0 };
      row[kind] = Number(values[i] ?? 0);
      rows.set(`${orgId}|${month}`, row);
    });
  } while (cursor !== '0');
  if (rows.size > 0) {
    await pool.query(
      `INSERT INTO usage_counters (org_id, month, events_accepted, events_dropped, crashes_accepted, updated_at)
       SELECT u.org_id, (u.month || '-01')::date, u.accepted, u.dropped, u.crashes, now()
       FROM jsonb_to_recordset($1::jsonb) AS u(org_id uuid, month text, accepted bigint, dropped bigint, crashes bigint)
       WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = u.org_id)
       ON CONFLICT (org_id, month) DO UPDATE SET
         events_accepted = GREATEST(usage_counters.events_accepted, EXCLUDED.events_accepted),
         events_dropped = GREATEST(usage_counters.events_dropped, EXCLUDED.events_dropped),
         crashes_accepted = GREATEST(usage_counters.crashes_accepted, EXCLUDED.crashes_accepted),
         updated_at = now()`,
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
  }
  await restoreCurrentMonth(pool, redis, namespace, now, rows);
  return rows.size;
}

/** Raises this month's Redis counters that are below PostgreSQL's (only the quota month matters). */
async function restoreCurrentMonth(
  pool: pg.Pool,
  redis: Redis,
  namespace: string,
  now: number,
  seen: Map<string, UsageRow>,
): Promise<void> {
  const month = new Date(now).toISOString().slice(0, 7);
  const stored = await pool.query<{ org_id: string; accepted: string; dropped: string; crashes: string }>(
    `SELECT org_id, events_accepted AS accepted, events_dropped AS dropped, crashes_accepted AS crashes
     FROM usage_counters WHERE month = $1::date`,
    [`${month}-01`],
  );
  const behind = stored.rows.filter((r) => {
    const inRedis = seen.get(`${r.org_id}|${month}`);
    return KINDS.some((kind) => Number(r[kind]) > (inRedis?.[kind] ?? 0));
  });
  if (behind.length === 0) return;
  const pipeline = redis.pipeline();
  for (const r of behind) {
    const keys = usageKeys(namespace, r.org_id, now);
    pipeline.eval(
      RAISE_LUA,
      3,
      keys.accepted,
      keys.dropped,
      keys.crashes,
      r.accepted,
      r.dropped,
      r.crashes,
      COUNTER_TTL_SECONDS,
    );
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

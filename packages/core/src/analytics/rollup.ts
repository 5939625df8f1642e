import { partitionName } from '@sightline/db/event-store';
import type pg from 'pg';
import { rollupDay, rollupDayCrashes } from './rollup-day.ts';
import { rollupHour, rollupHourCrashes } from './rollup-hour.ts';
import { DAY_MS, HOUR_MS, isoDay } from './rollup-rows.ts';

// The aggregator's run: turns the hours that received events (or crash reports) since their
// last rollup — rollup_dirty_hours, marked by the writers, late events included — into
// hourly and daily rollup rows and per-device-day records. Every step recomputes its
// hour or day from scratch and replaces what was there, so running it twice, or again
// after more late events, gives the same rows as running it once at the end.
// The hour and the day live in rollup-hour.ts and rollup-day.ts; what they share, with the
// catalogue of metrics, in rollup-rows.ts.

export { rollupDay } from './rollup-day.ts';
export { rollupHour } from './rollup-hour.ts';

export interface AggregationResult {
  hours: number;
  days: number;
  /** The apps whose rollups changed. */
  apps: Array<{ orgId: string; appId: number }>;
  /** Days another aggregator was working on; their hours stay marked for the next run. */
  skipped: number;
  /** App-days that failed (their hours stay marked); the worker logs them. */
  failed: Array<{ orgId: string; appId: number; day: string; error: string }>;
}

/** The advisory lock an (app, day) is rolled up under. */
const rollupLock = (orgId: string, appId: number, day: Date) => `rollup:${orgId}:${appId}:${day.getTime()}`;

/**
 * Waits until no aggregation of this (app, day) is in flight: one that started before raw
 * events were deleted may still write what it read of them (device-days); after this returns,
 * every later one reads what is left.
 */
export async function waitForRollup(pool: pg.Pool, orgId: string, appId: number, day: Date): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [rollupLock(orgId, appId, day)]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * One aggregation pass over the oldest dirty hours (up to `limit`; of one app with `app`,
 * as a dashboard read asks in fresh.ts): each (app, day) in its
 * own transaction under an advisory lock, so concurrent aggregators split the work; an
 * hour marked again while it was being rolled up stays marked for the next pass.
 */
export async function runAggregation(
  pool: pg.Pool,
  options: { limit?: number; settleMs?: number; app?: { orgId: string; appId: number } } = {},
): Promise<AggregationResult> {
  // An hour waits `settleMs` after it became dirty (0: none), so one still filling is rolled up
  // every few minutes rather than after every write.
  const { rows: dirty } = await pool.query<{ org_id: string; app_id: number; hour: Date; marked_at: Date }>(
    `SELECT org_id, app_id, hour, marked_at FROM rollup_dirty_hours
     WHERE first_marked_at <= clock_timestamp() - make_interval(secs => $2::float8 / 1000)
       AND ($3::uuid IS NULL OR (org_id = $3::uuid AND app_id = $4::int))
     ORDER BY hour LIMIT $1`,
    [options.limit ?? 500, options.settleMs ?? 0, options.app?.orgId ?? null, options.app?.appId ?? null],
  );
  const days = new Map<string, { orgId: string; appId: number; day: Date; hours: typeof dirty }>();
  for (const d of dirty) {
    const day = new Date(Math.floor(d.hour.getTime() / DAY_MS) * DAY_MS);
    const key = rollupLock(d.org_id, d.app_id, day);
    const entry = days.get(key) ?? { orgId: d.org_id, appId: d.app_id, day, hours: [] };
    entry.hours.push(d);
    days.set(key, entry);
  }
  const result: AggregationResult = { hours: 0, days: 0, apps: [], skipped: 0, failed: [] };
  for (const [key, entry] of days) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7)) AS locked',
        [key],
      );
      if (!rows[0]?.locked) {
        await client.query('ROLLBACK');
        result.skipped++;
        continue;
      }
      const { rows: kept } = await client.query<{ kept: boolean }>('SELECT to_regclass($1) IS NOT NULL AS kept', [
        partitionName(Math.floor(entry.day.getTime() / DAY_MS)),
      ]);
      if (kept[0]?.kept) {
        for (const h of entry.hours) await rollupHour(client, entry.orgId, entry.appId, h.hour);
        await rollupDay(client, entry.orgId, entry.appId, entry.day);
      } else {
        // Raw events of the day are gone (retention): a late crash report updates crash figures only.
        for (const h of entry.hours) {
          await rollupHourCrashes(client, {
            orgId: entry.orgId,
            appId: entry.appId,
            from: h.hour,
            to: new Date(h.hour.getTime() + HOUR_MS),
          });
        }
        await rollupDayCrashes(client, {
          orgId: entry.orgId,
          appId: entry.appId,
          from: entry.day,
          to: new Date(entry.day.getTime() + DAY_MS),
        });
      }
      await client.query(
        `DELETE FROM rollup_dirty_hours AS d USING unnest($3::timestamptz[], $4::timestamptz[]) AS t(hour, marked_at)
         WHERE d.org_id = $1 AND d.app_id = $2 AND d.hour = t.hour AND d.marked_at <= t.marked_at`,
        [entry.orgId, entry.appId, entry.hours.map((h) => h.hour), entry.hours.map((h) => h.marked_at)],
      );
      // Hours written to meanwhile stay marked, and settle afresh from now.
      await client.query(
        `UPDATE rollup_dirty_hours SET first_marked_at = clock_timestamp()
         WHERE org_id = $1 AND app_id = $2 AND hour = ANY($3::timestamptz[])`,
        [entry.orgId, entry.appId, entry.hours.map((h) => h.hour)],
      );
      await client.query('COMMIT');
      result.hours += entry.hours.length;
      result.days++;
      if (!result.apps.some((a) => a.orgId === entry.orgId && a.appId === entry.appId))
        result.apps.push({ orgId: entry.orgId, appId: entry.appId });
    } catch (error) {
      // One app-day that cannot be rolled up must not hold up every other: it stays marked,
      // is reported, and the pass goes on.
      await client.query('ROLLBACK').catch(() => undefined);
      result.failed.push({ orgId: entry.orgId, appId: entry.appId, day: isoDay(entry.day), error: String(error) });
    } finally {
      client.release();
    }
  }
  return result;
}

import { dropEventPartitionsBefore, listEventPartitions } from '@sightline/db/event-store';
import type pg from 'pg';
import { runAggregation } from '../analytics/rollup.ts';

// The retention job: what each app keeps, and for how long (its settings; the seed's
// defaults are raw events 7 days, crash reports 90, daily aggregates 2 years, crash groups
// for ever), enforced without long locks and recorded in retention_runs.
//
// Raw events live in day partitions shared by every app: a day is dropped whole once it is
// older than the longest raw retention of any app — but only after its hours are rolled
// up, so no figure is lost with the rows it came from. An app that keeps raw events for
// less than that has its own older rows deleted in small batches meanwhile. Everything
// else expires in batches of BATCH rows, each its own short statement.

const DAY_MS = 86_400_000;
const BATCH = 5_000;
/** Hourly rollups are a drill-down; the daily ones carry the long history. */
export const HOURLY_ROLLUP_DAYS = 90;
/** The delivery log of alerts. */
export const DELIVERY_LOG_DAYS = 90;
const RETENTION_LOCK = 0x5e7e_0001;

export interface RetentionRemoval {
  target: string;
  orgId: string | null;
  appId: number | null;
  removed: number;
  detail?: Record<string, unknown>;
}

interface AppRetention {
  id: number;
  org_id: string;
  raw_event_retention_days: number;
  crash_report_retention_days: number;
  aggregate_retention_days: number;
}

/**
 * Deletes the rows of `table` matching `where` (with $1… bound to `params`), BATCH at a
 * time by their key columns: each batch is one short statement, never a long lock.
 */
export async function deleteInBatches(
  pool: pg.Pool,
  table: string,
  keys: string[],
  where: string,
  params: unknown[],
): Promise<number> {
  let removed = 0;
  for (;;) {
    const keyList = keys.join(', ');
    const result = await pool.query(
      `DELETE FROM ${table} WHERE (${keyList}) IN (SELECT ${keyList} FROM ${table} WHERE ${where} LIMIT ${BATCH})`,
      params,
    );
    removed += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < BATCH) return removed;
  }
}

/** Rolls up every dirty hour before `before`, so the raw rows of those hours can go. */
async function rollUpBefore(pool: pg.Pool, before: Date): Promise<void> {
  for (let pass = 0; pass < 1000; pass++) {
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM rollup_dirty_hours WHERE hour < $1',
      [before],
    );
    if ((rows[0]?.n ?? 0) === 0) return;
    const result = await runAggregation(pool, { limit: 500 });
    if (result.hours === 0 && result.failed.length === 0) return; // another aggregator holds them
    if (result.failed.length > 0) throw new Error(`rollups failed before expiry: ${JSON.stringify(result.failed[0])}`);
  }
}

/**
 * One retention pass (safe to run twice, or on two workers at once: a second concurrent
 * pass does nothing). Returns what was removed, also written to retention_runs.
 */
export async function runRetention(pool: pg.Pool, options: { now?: number } = {}): Promise<RetentionRemoval[] | null> {
  const now = options.now ?? Date.now();
  const lock = await pool.connect();
  try {
    const { rows: locked } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
      RETENTION_LOCK,
    ]);
    if (!locked[0]?.ok) return null;
    try {
      return await retain(pool, now);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
    }
  } finally {
    lock.release();
  }
}

/**
 * Everything held for apps that were deleted ("delete app": keys stop at once, data goes
 * here), table by table in batches; children before parents so no cascade is ever large.
 * The app row stays, marked deleted, for the audit log's sake.
 */
/**
 * Every table holding an app's telemetry, in a safe order (children before parents), with
 * its key columns and the condition naming one app ($1 org, $2 app). The last two hold the
 * app's device registrations and their consent choices.
 */
export const APP_DATA_TABLES: ReadonlyArray<readonly [table: string, keys: string[], where: string]> = (() => {
  const app = 'org_id = $1 AND app_id = $2';
  const ofGroups = 'org_id = $1 AND group_id IN (SELECT id FROM crash_groups WHERE org_id = $1 AND app_id = $2)';
  return [
    ['events', ['org_id', 'app_id', 'occurred_at', 'id'], app],
    ['sessions', ['org_id', 'app_id', 'id'], app],
    ['crash_reports', ['id'], app],
    ['crash_group_devices', ['group_id', 'device_id'], ofGroups],
    ['crash_group_comments', ['id'], ofGroups],
    ['crash_groups', ['id'], app],
    ['rollups_hourly', ['org_id', 'app_id', 'bucket', 'metric', 'dimension'], app],
    ['rollups_daily', ['org_id', 'app_id', 'day', 'metric', 'dimension'], app],
    ['device_days', ['org_id', 'app_id', 'day', 'device_id'], app],
    ['rollup_dirty_hours', ['org_id', 'app_id', 'hour'], app],
    ['alert_outbox', ['id'], app],
    ['device_tokens', ['id'], app],
    ['devices', ['id'], app],
  ] as const;
})();

async function purgeDeletedApps(pool: pg.Pool): Promise<RetentionRemoval[]> {
  const { rows: apps } = await pool.query<{ id: number; org_id: string }>(
    'SELECT id, org_id FROM apps WHERE deleted_at IS NOT NULL ORDER BY id',
  );
  const removals: RetentionRemoval[] = [];
  for (const { id, org_id } of apps) {
    for (const [table, keys, where] of APP_DATA_TABLES) {
      const removed = await deleteInBatches(pool, table, keys, where, [org_id, id]);
      if (removed > 0)
        removals.push({ target: table, orgId: org_id, appId: id, removed, detail: { appDeleted: true } });
    }
  }
  return removals;
}

async function retain(pool: pg.Pool, now: number): Promise<RetentionRemoval[]> {
  const startedAt = new Date();
  const { rows: apps } = await pool.query<AppRetention>(
    `SELECT id, org_id, raw_event_retention_days, crash_report_retention_days, aggregate_retention_days
     FROM apps WHERE deleted_at IS NULL ORDER BY id`,
  );
  const removals: RetentionRemoval[] = [];
  const longestRaw = Math.max(7, ...apps.map((a) => a.raw_event_retention_days));
  const shortestRaw = Math.min(longestRaw, ...apps.map((a) => a.raw_event_retention_days));
  await rollUpBefore(pool, new Date(now - shortestRaw * DAY_MS));

  // Whole days of raw events that every app is done with.
  const cutoff = new Date(now - longestRaw * DAY_MS);
  const expired = (await listEventPartitions(pool)).filter((p) => p.to.getTime() <= cutoff.getTime());
  let partitionRows = 0;
  for (const p of expired) {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${p.name}"`);
    partitionRows += Number(rows[0]?.n ?? 0);
  }
  const dropped = await dropEventPartitionsBefore(pool, cutoff);
  if (dropped.length > 0) {
    removals.push({
      target: 'events',
      orgId: null,
      appId: null,
      removed: partitionRows,
      detail: { partitions: dropped },
    });
  }

  for (const app of apps) {
    const at = (days: number) => new Date(now - days * DAY_MS);
    const scope = [app.org_id, app.id];
    const record = (target: string, removed: number) => {
      if (removed > 0) removals.push({ target, orgId: app.org_id, appId: app.id, removed });
    };
    if (app.raw_event_retention_days < longestRaw) {
      record(
        'events',
        await deleteInBatches(
          pool,
          'events',
          ['org_id', 'app_id', 'occurred_at', 'id'],
          'org_id = $1 AND app_id = $2 AND occurred_at < $3',
          [...scope, at(app.raw_event_retention_days)],
        ),
      );
    }
    record(
      'sessions',
      await deleteInBatches(
        pool,
        'sessions',
        ['org_id', 'app_id', 'id'],
        'org_id = $1 AND app_id = $2 AND started_at < $3',
        [...scope, at(app.raw_event_retention_days)],
      ),
    );
    record(
      'crash_reports',
      await deleteInBatches(pool, 'crash_reports', ['id'], 'org_id = $1 AND app_id = $2 AND occurred_at < $3', [
        ...scope,
        at(app.crash_report_retention_days),
      ]),
    );
    record(
      'rollups_hourly',
      await deleteInBatches(
        pool,
        'rollups_hourly',
        ['org_id', 'app_id', 'bucket', 'metric', 'dimension'],
        'org_id = $1 AND app_id = $2 AND bucket < $3',
        [...scope, at(Math.min(HOURLY_ROLLUP_DAYS, app.aggregate_retention_days))],
      ),
    );
    const aggregateCutoff = new Date(now - app.aggregate_retention_days * DAY_MS).toISOString().slice(0, 10);
    record(
      'rollups_daily',
      await deleteInBatches(
        pool,
        'rollups_daily',
        ['org_id', 'app_id', 'day', 'metric', 'dimension'],
        'org_id = $1 AND app_id = $2 AND day < $3::date',
        [...scope, aggregateCutoff],
      ),
    );
    record(
      'device_days',
      await deleteInBatches(
        pool,
        'device_days',
        ['org_id', 'app_id', 'day', 'device_id'],
        'org_id = $1 AND app_id = $2 AND day < $3::date',
        [...scope, aggregateCutoff],
      ),
    );
  }
  removals.push(...(await purgeDeletedApps(pool)));
  const exports = await deleteInBatches(
    pool,
    'gdpr_export_files',
    ['request_id'],
    'request_id IN (SELECT id FROM gdpr_requests WHERE kind = $1 AND result_expires_at < $2)',
    ['EXPORT', new Date(now)],
  );
  if (exports > 0) removals.push({ target: 'gdpr_export_files', orgId: null, appId: null, removed: exports });
  const deliveries = await deleteInBatches(
    pool,
    'notification_deliveries',
    ['id'],
    "created_at < $1 AND status NOT IN ('PENDING', 'SENDING', 'HELD')",
    [new Date(now - DELIVERY_LOG_DAYS * DAY_MS)],
  );
  if (deliveries > 0)
    removals.push({ target: 'notification_deliveries', orgId: null, appId: null, removed: deliveries });

  if (removals.length > 0) {
    await pool.query(
      `INSERT INTO retention_runs (org_id, app_id, target, removed, detail, started_at, ended_at)
       SELECT * , $6::timestamptz, now() FROM unnest($1::uuid[], $2::int[], $3::text[], $4::bigint[], $5::jsonb[])`,
      [
        removals.map((r) => r.orgId),
        removals.map((r) => r.appId),
        removals.map((r) => r.target),
        removals.map((r) => r.removed),
        removals.map((r) => JSON.stringify({ ...(r.detail ?? {}), now: new Date(now).toISOString() })),
        startedAt,
      ],
    );
  }
  return removals;
}

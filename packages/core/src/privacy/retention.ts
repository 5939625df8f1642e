import { dropEventPartitionsBefore, listEventPartitions } from '@sightline/db/event-store';
import type pg from 'pg';
import { runAggregation } from '../analytics/rollup.ts';
import { dataKindTables } from '../data-kinds/registry.ts';
import type { DataKindTable, TableRetention } from '../data-kinds/types.ts';

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
export { DELIVERY_LOG_DAYS, HOURLY_ROLLUP_DAYS } from '../data-kinds/registry.ts';
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
  keys: readonly string[],
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
 * Every table holding an app's telemetry, in a safe order (children before parents, the
 * device registrations last), with its key columns and the condition naming one app ($1
 * org, $2 app): what deleting an app removes.
 */
export const APP_DATA_TABLES = appTables('app-deleted');

/** The tables (with keys and condition, as above) that deleting an app, or only its data, removes. */
export function appTables(
  on: 'app-deleted' | 'app-data-deleted',
): ReadonlyArray<readonly [table: string, keys: readonly string[], where: string]> {
  const tables = dataKindTables().flatMap((table) =>
    'where' in table.app && (table.app.on === 'both' || table.app.on === on) ? [{ ...table, app: table.app }] : [],
  );
  return [...tables.filter((t) => !t.app.last), ...tables.filter((t) => t.app.last)].map(
    (t) => [t.name, t.keys, t.app.where] as const,
  );
}

/**
 * Everything held for apps that were deleted ("delete app": keys stop at once, data goes
 * here), table by table in batches; children before parents so no cascade is ever large.
 * The app row stays, marked deleted, for the audit log's sake.
 */
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

type BySetting = Extract<TableRetention, { by: 'app-setting' }>;
type ByAge = Extract<TableRetention, { by: 'age' }>;

/** The tables an app's settings bound, in registry order. */
const BY_SETTING = dataKindTables().flatMap((table) =>
  table.retention.by === 'app-setting' ? [{ table, rule: table.retention }] : [],
) satisfies Array<{ table: DataKindTable; rule: BySetting }>;
/** The tables whose rows expire with age, whatever their app. */
const BY_AGE = dataKindTables().flatMap((table) =>
  table.retention.by === 'age' ? [{ table, rule: table.retention }] : [],
) satisfies Array<{ table: DataKindTable; rule: ByAge }>;

// Day partitions are the event store's (packages/db): dropping one is dropEventPartitionsBefore.
const partitioned = BY_SETTING.filter(({ table }) => table.partitionedByDay);
if (partitioned.length !== 1 || partitioned[0]?.table.name !== 'events') {
  throw new Error('retention drops the day partitions of events only: see packages/db/src/event-store');
}
const RAW_SETTING = partitioned[0].rule.setting;

async function retain(pool: pg.Pool, now: number): Promise<RetentionRemoval[]> {
  const startedAt = new Date();
  const { rows: apps } = await pool.query<AppRetention>(
    `SELECT id, org_id, raw_event_retention_days, crash_report_retention_days, aggregate_retention_days
     FROM apps WHERE deleted_at IS NULL ORDER BY id`,
  );
  const removals: RetentionRemoval[] = [];
  const longestRaw = Math.max(7, ...apps.map((a) => a[RAW_SETTING]));
  const shortestRaw = Math.min(longestRaw, ...apps.map((a) => a[RAW_SETTING]));
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
    for (const { table, rule } of BY_SETTING) {
      const days = Math.min(app[rule.setting], rule.capDays ?? Infinity);
      // The day partitions of an app keeping them as long as the longest go whole (above).
      if (table.partitionedByDay && days >= longestRaw) continue;
      const at = new Date(now - days * DAY_MS);
      const removed = await deleteInBatches(
        pool,
        table.name,
        table.keys,
        `org_id = $1 AND app_id = $2 AND ${rule.column} < $3${rule.date ? '::date' : ''}`,
        [app.org_id, app.id, rule.date ? at.toISOString().slice(0, 10) : at],
      );
      if (removed > 0) removals.push({ target: table.name, orgId: app.org_id, appId: app.id, removed });
    }
  }
  removals.push(...(await purgeDeletedApps(pool)));
  for (const { table, rule } of BY_AGE) {
    const removed = await deleteInBatches(pool, table.name, table.keys, rule.where, [
      new Date(now - rule.days * DAY_MS),
    ]);
    if (removed > 0) removals.push({ target: table.name, orgId: null, appId: null, removed });
  }

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

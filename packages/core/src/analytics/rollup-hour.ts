import type pg from 'pg';
import { VALUE_BUCKET_SQL, ValueSketch } from './sketch.ts';
import {
  CRASH_METRICS,
  dim,
  HOUR_MS,
  isoDay,
  MAX_DIMENSION,
  rangeParams,
  replaceRows,
  row,
  type Range,
  type RollupRow,
} from './rollup-rows.ts';

// One hour of the aggregator: its events folded per device, counted by every dimension, its
// values summarised into sketches, its crashes counted, and its devices folded into their day.

// GROUPING() bits, type (or, for the last set, kind) first: 1 marks a column the set does not group by.
const SETS: Record<number, (r: Record<string, string | null>) => [string, string | null | undefined] | null> = {
  0b1111111: () => ['active', ''],
  0b0111111: (r) => ['events', r.type!],
  0b0011111: (r) => ['events:version', `${r.type}|${r.app_version ?? ''}`],
  0b1011111: (r) => ['version', r.app_version],
  0b1101111: (r) => ['os', r.os],
  0b1110111: (r) => ['browser', r.browser],
  0b1111011: (r) => ['country', r.country],
  0b1111101: (r) => ['device_model', r.device_model],
  0b1111110: (r) => (r.place === null ? null : [r.kind!, r.place]),
};

/**
 * The hour's events folded per device and combination of dimensions (a million events of
 * twenty thousand devices become some tens of thousands of rows) — the distinct counts
 * and the device records below read this, not the events again.
 */
async function foldHourPerDevice(client: pg.ClientBase, range: Range): Promise<void> {
  await client.query('DROP TABLE IF EXISTS rollup_hour_devices');
  await client.query(
    `CREATE TEMP TABLE rollup_hour_devices ON COMMIT DROP AS
     SELECT device_id, type, ${dim('app_version')} AS app_version, ${dim('os')} AS os, ${dim('browser')} AS browser,
       ${dim('country')} AS country, ${dim('device_model')} AS device_model,
       CASE WHEN type = 'feature_used' THEN 'feature' WHEN type IN ('screen_view', 'page_view') THEN 'screen' END AS kind,
       CASE WHEN type IN ('screen_view', 'page_view', 'feature_used') THEN ${dim('name')} END AS place,
       count(*) AS n, max(occurred_at) AS last_at
     FROM events WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    rangeParams(range),
  );
}

async function eventCounts(client: pg.ClientBase): Promise<RollupRow[]> {
  const { rows } = await client.query<Record<string, string | null> & { g: number; n: string; devices: number }>(
    `SELECT GROUPING(type, app_version, os, browser, country, device_model, place) AS g,
        type, app_version, os, browser, country, device_model, kind, place,
        sum(n) AS n, count(DISTINCT device_id)::int AS devices
     FROM rollup_hour_devices
     GROUP BY GROUPING SETS ((), (type), (type, app_version), (app_version), (os), (browser), (country),
       (device_model), (kind, place))`,
  );
  const out: RollupRow[] = [];
  for (const r of rows) {
    const key = SETS[r.g]?.(r);
    if (key) out.push(row(key[0], key[1], Number(r.n), { uniqueDevices: r.devices }));
  }
  return out;
}

async function valueSummaries(client: pg.ClientBase, range: Range): Promise<RollupRow[]> {
  const { rows } = await client.query<{
    type: string;
    dim: string;
    bucket: number | null;
    n: string;
    s: number;
    mn: number;
    mx: number;
  }>(
    `SELECT type, dim, ${VALUE_BUCKET_SQL} AS bucket, count(*) AS n, sum(value) AS s, min(value) AS mn, max(value) AS mx
     FROM (
       SELECT type, COALESCE(${dim('name')}, '') AS dim, value FROM events
       WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4 AND value IS NOT NULL
       UNION ALL
       SELECT type, left(name || '@' || (data->>'page'), ${MAX_DIMENSION}), value FROM events
       WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4 AND type = 'web_vital'
         AND value IS NOT NULL AND data ? 'page' AND name IS NOT NULL
     ) v
     GROUP BY type, dim, bucket`,
    rangeParams(range),
  );
  const byKey = new Map<
    string,
    { type: string; dim: string; sketch: ValueSketch; n: number; s: number; mn: number; mx: number }
  >();
  for (const r of rows) {
    const key = `${r.type}\u0000${r.dim}`;
    let acc = byKey.get(key);
    if (!acc) {
      acc = { type: r.type, dim: r.dim, sketch: new ValueSketch(), n: 0, s: 0, mn: Infinity, mx: -Infinity };
      byKey.set(key, acc);
    }
    acc.sketch.addBucket(r.bucket, Number(r.n));
    acc.n += Number(r.n);
    acc.s += r.s;
    acc.mn = Math.min(acc.mn, r.mn);
    acc.mx = Math.max(acc.mx, r.mx);
  }
  return [...byKey.values()].map((a) =>
    row(`value:${a.type}`, a.dim, a.n, { sum: a.s, min: a.mn, max: a.mx, sketch: a.sketch.encode() }),
  );
}

async function crashCounts(client: pg.ClientBase, range: Range): Promise<RollupRow[]> {
  const { rows } = await client.query<{
    g: number;
    app_version: string | null;
    unhandled: string;
    devices: number;
    errors: string;
  }>(
    `SELECT GROUPING(app_version) AS g, app_version,
        count(*) FILTER (WHERE NOT handled) AS unhandled,
        count(DISTINCT device_id) FILTER (WHERE NOT handled)::int AS devices,
        count(*) FILTER (WHERE handled) AS errors
     FROM (SELECT ${dim('app_version')} AS app_version, handled, device_id FROM crash_reports
           WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4) c
     GROUP BY GROUPING SETS ((), (app_version))`,
    rangeParams(range),
  );
  const out: RollupRow[] = [];
  for (const r of rows) {
    if (r.g === 1) {
      out.push(row('crashes', '', Number(r.unhandled), { uniqueDevices: r.devices }));
      out.push(row('errors', '', Number(r.errors)));
    } else if (Number(r.unhandled) > 0) {
      out.push(row('crashes:version', r.app_version, Number(r.unhandled), { uniqueDevices: r.devices }));
    }
  }
  return out.filter((r) => r.count > 0);
}

/** The devices seen in the hour, folded into their day (latest attributes win; an unhandled crash marks the day). */
async function recordDeviceDays(client: pg.ClientBase, range: Range): Promise<void> {
  const day = isoDay(range.from);
  await recordCrashedDevices(client, range);
  await client.query(
    `INSERT INTO device_days AS d (org_id, app_id, day, device_id, app_version, os, browser, country, device_model, last_seen_at)
     SELECT DISTINCT ON (device_id) $1::uuid, $2::int, $3::date, device_id, app_version, os, browser, country, device_model, last_at
     FROM rollup_hour_devices
     ORDER BY device_id, last_at DESC
     ON CONFLICT (org_id, app_id, day, device_id) DO UPDATE SET
       app_version = CASE WHEN d.last_seen_at IS NULL OR EXCLUDED.last_seen_at >= d.last_seen_at THEN EXCLUDED.app_version ELSE d.app_version END,
       os = CASE WHEN d.last_seen_at IS NULL OR EXCLUDED.last_seen_at >= d.last_seen_at THEN EXCLUDED.os ELSE d.os END,
       browser = CASE WHEN d.last_seen_at IS NULL OR EXCLUDED.last_seen_at >= d.last_seen_at THEN EXCLUDED.browser ELSE d.browser END,
       country = CASE WHEN d.last_seen_at IS NULL OR EXCLUDED.last_seen_at >= d.last_seen_at THEN EXCLUDED.country ELSE d.country END,
       device_model = CASE WHEN d.last_seen_at IS NULL OR EXCLUDED.last_seen_at >= d.last_seen_at THEN EXCLUDED.device_model ELSE d.device_model END,
       last_seen_at = GREATEST(d.last_seen_at, EXCLUDED.last_seen_at)`,
    [range.orgId, range.appId, day],
  );
}

/** Devices with an unhandled crash in the hour: their day is marked crashed (and active). */
async function recordCrashedDevices(client: pg.ClientBase, range: Range): Promise<void> {
  await client.query(
    `INSERT INTO device_days AS d (org_id, app_id, day, device_id, app_version, crashed)
     SELECT DISTINCT ON (device_id) $1::uuid, $2::int, $5::date, device_id, ${dim('app_version')}, true
     FROM crash_reports
     WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4 AND NOT handled
     ORDER BY device_id, occurred_at DESC
     ON CONFLICT (org_id, app_id, day, device_id) DO UPDATE SET crashed = true`,
    [...rangeParams(range), isoDay(range.from)],
  );
}

/**
 * An hour whose raw events are gone (past retention) but which got a late crash report:
 * only its crash rows and crashed devices are recomputed; its event figures stay as they were.
 */
export async function rollupHourCrashes(client: pg.ClientBase, range: Range): Promise<void> {
  await client.query(
    `DELETE FROM rollups_hourly WHERE org_id = $1 AND app_id = $2 AND bucket = $3 AND metric = ANY($4)`,
    [range.orgId, range.appId, range.from, CRASH_METRICS],
  );
  const rows = await crashCounts(client, range);
  if (rows.length > 0) {
    await client.query(
      `INSERT INTO rollups_hourly (org_id, app_id, bucket, metric, dimension, count, unique_devices)
       SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::bigint[], $7::int[])`,
      [
        range.orgId,
        range.appId,
        range.from,
        rows.map((r) => r.metric),
        rows.map((r) => r.dimension),
        rows.map((r) => r.count),
        rows.map((r) => r.uniqueDevices),
      ],
    );
  }
  await recordCrashedDevices(client, range);
}

/** Recomputes one hour's rollup rows and its devices' day records. */
export async function rollupHour(client: pg.ClientBase, orgId: string, appId: number, hour: Date): Promise<void> {
  const range = { orgId, appId, from: hour, to: new Date(hour.getTime() + HOUR_MS) };
  await foldHourPerDevice(client, range);
  const rows = [
    ...(await eventCounts(client)),
    ...(await valueSummaries(client, range)),
    ...(await crashCounts(client, range)),
  ];
  await replaceRows(client, 'rollups_hourly', range, rows);
  await recordDeviceDays(client, range);
  await client.query('DROP TABLE rollup_hour_devices');
}

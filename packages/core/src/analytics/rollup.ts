import { partitionName } from '@sightline/db/event-store';
import type pg from 'pg';
import { DeviceSketch, HLL_REGISTER_SQL, VALUE_BUCKET_SQL, ValueSketch } from './sketch.ts';

// The aggregator: turns the hours that received events (or crash reports) since their
// last rollup — rollup_dirty_hours, marked by the writers, late events included — into
// hourly and daily rollup rows and per-device-day records. Every step recomputes its
// hour or day from scratch and replaces what was there, so running it twice, or again
// after more late events, gives the same rows as running it once at the end.
//
// rollups_hourly / rollups_daily rows are (metric, dimension) → count, sum, min, max,
// unique devices and, for values, a mergeable sketch:
//   active ''                    every event; unique devices (daily: devices with events or crashes)
//   events <type>                events of a type
//   events:version <type>|<ver>  events of a type by app version (crash rate by version)
//   version|os|browser|country|device_model <value>
//   screen <name>, feature <name> screen/page views and feature use
//   value:<type> <name>          numeric values (perf_frame, web_vital LCP, http_request /route,
//                                timing, histogram, counter, gauge…); web vitals also <name>@<page>
//   crashes '' / crashes:version <ver>   unhandled crash reports (crashes); errors '' the handled ones
//   sessions '' (daily)          sessions started; sum = duration ms; plus sessions:bounced, sessions:crashed
// Daily unique devices are exact: from device_days for the device's attributes, from the
// day's raw events for event types and screens. A daily sketch of all active devices and
// of crashed ones (HyperLogLog) gives unique users and crash-free users over any range.

const HOUR_MS = 3_600_000;
/** Longest dimension value kept (page paths can be 2,000 characters; index keys must stay small). */
const MAX_DIMENSION = 300;
/** UTC day as YYYY-MM-DD: date parameters go as text, whatever the process's time zone. */
const isoDay = (t: Date | number) => new Date(t).toISOString().slice(0, 10);
/** A text column with empty strings as NULL and long values cut, as every dimension is stored. */
const dim = (column: string) => `left(NULLIF(${column}, ''), ${MAX_DIMENSION})`;
const DAY_MS = 86_400_000;

interface RollupRow {
  metric: string;
  dimension: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  uniqueDevices: number;
  sketch: Buffer | null;
}

const row = (
  metric: string,
  dimension: string | null | undefined,
  count: number,
  extra: Partial<RollupRow> = {},
): RollupRow => ({
  metric,
  dimension: dimension ?? '',
  count,
  sum: 0,
  min: null,
  max: null,
  uniqueDevices: 0,
  sketch: null,
  ...extra,
});

interface Range {
  orgId: string;
  appId: number;
  from: Date;
  to: Date;
}
const rangeParams = (r: Range) => [r.orgId, r.appId, r.from, r.to];

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

async function replaceRows(
  client: pg.ClientBase,
  table: 'rollups_hourly' | 'rollups_daily',
  range: Range,
  rows: RollupRow[],
): Promise<void> {
  const key = table === 'rollups_hourly' ? 'bucket' : 'day';
  const at = table === 'rollups_hourly' ? range.from : isoDay(range.from);
  await client.query(`DELETE FROM ${table} WHERE org_id = $1 AND app_id = $2 AND ${key} = $3`, [
    range.orgId,
    range.appId,
    at,
  ]);
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ${table} (org_id, app_id, ${key}, metric, dimension, count, sum, min, max, unique_devices, sketch)
     SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::bigint[], $7::float8[], $8::float8[], $9::float8[],
       $10::int[], $11::bytea[])`,
    [
      range.orgId,
      range.appId,
      at,
      rows.map((r) => r.metric),
      rows.map((r) => r.dimension),
      rows.map((r) => r.count),
      rows.map((r) => r.sum),
      rows.map((r) => r.min),
      rows.map((r) => r.max),
      rows.map((r) => r.uniqueDevices),
      rows.map((r) => r.sketch),
    ],
  );
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

const CRASH_METRICS = ['crashes', 'crashes:version', 'errors'];

/**
 * An hour whose raw events are gone (past retention) but which got a late crash report:
 * only its crash rows and crashed devices are recomputed; its event figures stay as they were.
 */
async function rollupHourCrashes(client: pg.ClientBase, range: Range): Promise<void> {
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

/** The day of such an hour: crash rows from its hours and device records; active devices from device records. */
async function rollupDayCrashes(client: pg.ClientBase, range: Range): Promise<void> {
  const day = isoDay(range.from);
  await client.query(
    `DELETE FROM rollups_daily WHERE org_id = $1 AND app_id = $2 AND day = $3::date AND metric = ANY($4)`,
    [range.orgId, range.appId, day, CRASH_METRICS],
  );
  await client.query(
    `INSERT INTO rollups_daily (org_id, app_id, day, metric, dimension, count, unique_devices)
     SELECT $1, $2, $3::date, h.metric, h.dimension, sum(h.count),
       CASE h.metric WHEN 'crashes' THEN (SELECT count(*) FROM device_days d
           WHERE d.org_id = $1 AND d.app_id = $2 AND d.day = $3::date AND d.crashed)
         WHEN 'crashes:version' THEN (SELECT count(DISTINCT c.device_id) FROM crash_reports c
           WHERE c.org_id = $1 AND c.app_id = $2 AND c.occurred_at >= $4 AND c.occurred_at < $5 AND NOT c.handled
             AND COALESCE(${dim('c.app_version')}, '') = h.dimension)
         ELSE 0 END
     FROM rollups_hourly h
     WHERE h.org_id = $1 AND h.app_id = $2 AND h.bucket >= $4 AND h.bucket < $5 AND h.metric = ANY($6)
     GROUP BY h.metric, h.dimension`,
    [range.orgId, range.appId, day, range.from, range.to, CRASH_METRICS],
  );
  const active = await deviceSketch(client, range, false);
  await client.query(
    `UPDATE rollups_daily SET sketch = $4, unique_devices = (SELECT count(*) FROM device_days
       WHERE org_id = $1 AND app_id = $2 AND day = $3::date)
     WHERE org_id = $1 AND app_id = $2 AND day = $3::date AND metric = 'active' AND dimension = ''`,
    [range.orgId, range.appId, day, active.encode()],
  );
  const crashed = await deviceSketch(client, range, true);
  await client.query(
    `UPDATE rollups_daily SET sketch = $4 WHERE org_id = $1 AND app_id = $2 AND day = $3::date AND metric = 'crashes' AND dimension = ''`,
    [range.orgId, range.appId, day, crashed.encode()],
  );
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

async function deviceSketch(client: pg.ClientBase, range: Range, crashedOnly: boolean): Promise<DeviceSketch> {
  const { rows } = await client.query<{ register: number; rank: number }>(
    `SELECT ${HLL_REGISTER_SQL.register} AS register, max(${HLL_REGISTER_SQL.rank})::int AS rank
     FROM device_days WHERE org_id = $1 AND app_id = $2 AND day = $3::date ${crashedOnly ? 'AND crashed' : ''}
     GROUP BY 1`,
    [range.orgId, range.appId, isoDay(range.from)],
  );
  const sketch = new DeviceSketch();
  for (const r of rows) sketch.set(r.register, r.rank);
  return sketch;
}

/** Recomputes one day: sums of its hours, exact daily unique devices, sessions, device sketches. */
export async function rollupDay(client: pg.ClientBase, orgId: string, appId: number, day: Date): Promise<void> {
  const range = { orgId, appId, from: day, to: new Date(day.getTime() + DAY_MS) };
  const params = rangeParams(range);
  const { rows: summed } = await client.query<{
    metric: string;
    dimension: string;
    n: string;
    s: number;
    mn: number | null;
    mx: number | null;
    sketches: Buffer[] | null;
  }>(
    `SELECT metric, dimension, sum(count) AS n, sum(sum) AS s, min(min) AS mn, max(max) AS mx,
        array_agg(sketch) FILTER (WHERE sketch IS NOT NULL) AS sketches
     FROM rollups_hourly WHERE org_id = $1 AND app_id = $2 AND bucket >= $3 AND bucket < $4
     GROUP BY metric, dimension`,
    params,
  );
  const rows = new Map<string, RollupRow>();
  for (const r of summed) {
    const sketch = r.sketches?.length
      ? r.sketches.reduce((acc, b) => acc.merge(ValueSketch.decode(b)), new ValueSketch()).encode()
      : null;
    rows.set(
      `${r.metric}\u0000${r.dimension}`,
      row(r.metric, r.dimension, Number(r.n), { sum: r.s, min: r.mn, max: r.mx, sketch }),
    );
  }
  const put = (metric: string, dimension: string | null, devices: number, extra: Partial<RollupRow> = {}) => {
    const key = `${metric}\u0000${dimension ?? ''}`;
    const existing = rows.get(key);
    rows.set(key, { ...(existing ?? row(metric, dimension, 0)), uniqueDevices: devices, ...extra });
  };

  // Unique devices from the day's device records: active, crashed, and by attribute.
  const { rows: devices } = await client.query<{
    g: number;
    app_version: string | null;
    os: string | null;
    browser: string | null;
    country: string | null;
    device_model: string | null;
    devices: number;
    crashed: number;
  }>(
    `SELECT GROUPING(app_version, os, browser, country, device_model) AS g, app_version, os, browser, country, device_model,
        count(*)::int AS devices, count(*) FILTER (WHERE crashed)::int AS crashed
     FROM device_days WHERE org_id = $1 AND app_id = $2 AND day = $3::date
     GROUP BY GROUPING SETS ((), (app_version), (os), (browser), (country), (device_model))`,
    [orgId, appId, isoDay(day)],
  );
  for (const d of devices) {
    if (d.g === 0b11111) {
      put('active', '', d.devices, { sketch: (await deviceSketch(client, range, false)).encode() });
      if (d.crashed > 0) put('crashes', '', d.crashed, { sketch: (await deviceSketch(client, range, true)).encode() });
    } else if (d.g === 0b01111) {
      put('version', d.app_version, d.devices);
    } else if (d.g === 0b10111) put('os', d.os, d.devices);
    else if (d.g === 0b11011) put('browser', d.browser, d.devices);
    else if (d.g === 0b11101) put('country', d.country, d.devices);
    else if (d.g === 0b11110) put('device_model', d.device_model, d.devices);
  }

  // Crashed devices per version from the crash reports themselves: on an upgrade day a
  // device's record holds its newer version, but the crash belongs to the one that crashed.
  const { rows: crashedByVersion } = await client.query<{ app_version: string | null; devices: number }>(
    `SELECT ${dim('app_version')} AS app_version, count(DISTINCT device_id)::int AS devices FROM crash_reports
     WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4 AND NOT handled
     GROUP BY 1`,
    params,
  );
  for (const c of crashedByVersion) put('crashes:version', c.app_version, c.devices);

  // Unique devices per event type and per screen need the day's events.
  const { rows: perType } = await client.query<{
    g: number;
    type: string;
    kind: string | null;
    place: string | null;
    devices: number;
  }>(
    `SELECT GROUPING(type) AS g, type, kind, place, count(DISTINCT device_id)::int AS devices
     FROM (SELECT type, device_id,
             CASE WHEN type = 'feature_used' THEN 'feature' WHEN type IN ('screen_view', 'page_view') THEN 'screen' END AS kind,
             CASE WHEN type IN ('screen_view', 'page_view', 'feature_used') THEN ${dim('name')} END AS place
           FROM events WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3 AND occurred_at < $4
           GROUP BY 1, 2, 3, 4) e
     GROUP BY GROUPING SETS ((type), (kind, place))`,
    params,
  );
  for (const t of perType) {
    if (t.g === 0) put('events', t.type, t.devices);
    else if (t.kind !== null && t.place !== null) put(t.kind, t.place, t.devices);
  }

  // Sessions that started this day, as they stand now (a session's end may come hours later).
  const { rows: sessions } = await client.query<{
    n: string;
    duration: number | null;
    devices: number;
    bounced: string;
    crashed: string;
  }>(
    `SELECT count(*) AS n, sum(duration_ms)::float8 AS duration, count(DISTINCT device_id)::int AS devices,
        count(*) FILTER (WHERE screen_count <= 1) AS bounced, count(*) FILTER (WHERE crashed) AS crashed
     FROM sessions WHERE org_id = $1 AND app_id = $2 AND started_at >= $3 AND started_at < $4`,
    params,
  );
  const s = sessions[0];
  if (s && Number(s.n) > 0) {
    rows.set('sessions\u0000', row('sessions', '', Number(s.n), { sum: s.duration ?? 0, uniqueDevices: s.devices }));
    rows.set('sessions:bounced\u0000', row('sessions:bounced', '', Number(s.bounced)));
    rows.set('sessions:crashed\u0000', row('sessions:crashed', '', Number(s.crashed)));
  }
  await replaceRows(client, 'rollups_daily', range, [...rows.values()]);
}

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

import type pg from 'pg';
import { DeviceSketch, HLL_REGISTER_SQL } from './sketch.ts';

// What the hour, day and run files of the aggregator share: the rollup row shape, the range a
// step works on, how a dimension is cut, and how a table's rows for one bucket are replaced.
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

export const HOUR_MS = 3_600_000;
/** Longest dimension value kept (page paths can be 2,000 characters; index keys must stay small). */
export const MAX_DIMENSION = 300;
/** UTC day as YYYY-MM-DD: date parameters go as text, whatever the process's time zone. */
export const isoDay = (t: Date | number) => new Date(t).toISOString().slice(0, 10);
/** A text column with empty strings as NULL and long values cut, as every dimension is stored. */
export const dim = (column: string) => `left(NULLIF(${column}, ''), ${MAX_DIMENSION})`;
export const DAY_MS = 86_400_000;

export interface RollupRow {
  metric: string;
  dimension: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  uniqueDevices: number;
  sketch: Buffer | null;
}

export const row = (
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

export interface Range {
  orgId: string;
  appId: number;
  from: Date;
  to: Date;
}
export const rangeParams = (r: Range) => [r.orgId, r.appId, r.from, r.to];

export const CRASH_METRICS = ['crashes', 'crashes:version', 'errors'];

export async function replaceRows(
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

/** A HyperLogLog of the day's devices (or only the crashed ones), from their day records. */
export async function deviceSketch(client: pg.ClientBase, range: Range, crashedOnly: boolean): Promise<DeviceSketch> {
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

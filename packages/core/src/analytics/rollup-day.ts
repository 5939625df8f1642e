import type pg from 'pg';
import { ValueSketch } from './sketch.ts';
import {
  CRASH_METRICS,
  DAY_MS,
  deviceSketch,
  dim,
  isoDay,
  rangeParams,
  replaceRows,
  row,
  type Range,
  type RollupRow,
} from './rollup-rows.ts';

// One day of the aggregator: the sums of its hours, with unique devices counted exactly from the
// day's device records and raw events (hours cannot be added up for those), plus sessions.

/** The day of such an hour: crash rows from its hours and device records; active devices from device records. */
export async function rollupDayCrashes(client: pg.ClientBase, range: Range): Promise<void> {
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

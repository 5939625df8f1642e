// Batched writes of sessions and devices: one multi-row INSERT … SELECT unnest(…) per
// batch, so PostgreSQL parses a statement per thousands of rows, not per row.
import type pg from 'pg';
import type { DemoDevice } from './population.ts';

export interface SessionRecord {
  appId: number;
  id: string;
  device: DemoDevice;
  version: string;
  start: number;
  end: number;
  events: number;
  screens: number;
  entry: string | null;
  exit: string | null;
  crashed: boolean;
}

const CHUNK = 10_000;
const iso = (ms: number): string => new Date(ms).toISOString();

async function inChunks<T>(rows: readonly T[], write: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

export function insertSessions(pool: pg.Pool, orgId: string, sessions: readonly SessionRecord[]): Promise<void> {
  return inChunks(sessions, (chunk) =>
    pool.query(
      `INSERT INTO sessions (org_id, app_id, id, device_id, app_version, os, browser, country, started_at, ended_at, duration_ms,
                             event_count, screen_count, entry_screen, exit_screen, crashed, updated_at)
       SELECT $1, t.app_id, t.id, t.device, t.version, t.os, t.browser, t.country, t.started, t.ended,
              (extract(epoch FROM t.ended - t.started) * 1000)::bigint, t.events, t.screens, t.entry, t.exit, t.crashed, t.ended
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::char(2)[], $9::timestamptz[],
                     $10::timestamptz[], $11::int[], $12::int[], $13::text[], $14::text[], $15::boolean[])
           AS t(app_id, id, device, version, os, browser, country, started, ended, events, screens, entry, exit, crashed)`,
      [
        orgId,
        chunk.map((s) => s.appId),
        chunk.map((s) => s.id),
        chunk.map((s) => s.device.hash),
        chunk.map((s) => s.version),
        chunk.map((s) => s.device.os),
        chunk.map((s) => s.device.browser),
        chunk.map((s) => s.device.country),
        chunk.map((s) => iso(s.start)),
        chunk.map((s) => iso(s.end)),
        chunk.map((s) => s.events),
        chunk.map((s) => s.screens),
        chunk.map((s) => s.entry),
        chunk.map((s) => s.exit),
        chunk.map((s) => s.crashed),
      ],
    ),
  );
}

/** Devices that were seen at least once, with first and last sighting from their sessions. */
export function insertDevices(
  pool: pg.Pool,
  orgId: string,
  appIds: readonly number[],
  devices: readonly DemoDevice[],
): Promise<void> {
  const seen = devices.filter((d) => d.lastSeen > 0);
  return inChunks(seen, (chunk) =>
    pool.query(
      `INSERT INTO devices (org_id, app_id, device_id_hash, last_app_version, os, os_version, model, country, locale, first_seen_at, last_seen_at)
       SELECT $1, t.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::char(2)[], $9::text[],
                                  $10::timestamptz[], $11::timestamptz[])
         AS t(app_id, hash, version, os, os_version, model, country, locale, first_seen, last_seen)`,
      [
        orgId,
        chunk.map((d) => appIds[d.appIndex]),
        chunk.map((d) => d.hash),
        chunk.map((d) => d.lastVersion),
        chunk.map((d) => d.os),
        chunk.map((d) => d.osVersion),
        chunk.map((d) => d.model),
        chunk.map((d) => d.country),
        chunk.map((d) => d.locale),
        chunk.map((d) => iso(d.firstSeen)),
        chunk.map((d) => iso(d.lastSeen)),
      ],
    ),
  );
}

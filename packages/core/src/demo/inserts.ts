import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { CrashKind } from './catalog.ts';
import type { DemoDevice } from './session-events.ts';

export interface SessionRecord {
  orgId: string;
  appId: number;
  id: string;
  deviceId: string;
  version: string;
  device: DemoDevice;
  start: number;
  end: number;
  events: number;
  screens: number;
  entry: string | null;
  exit: string | null;
  crashed: boolean;
}

export interface DeviceRecord {
  orgId: string;
  appId: number;
  device: DemoDevice & { locale: string };
  version: string;
  firstSeen: number;
  lastSeen: number;
}

export interface CrashRecord {
  appId: number;
  kind: CrashKind;
  kindIndex: number;
  deviceId: string;
  sessionId: string;
  version: string;
  at: number;
  device: DemoDevice;
}

const CHUNK = 5_000;
const iso = (ms: number): string => new Date(ms).toISOString();

async function inChunks<T>(items: readonly T[], fn: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await fn(items.slice(i, i + CHUNK));
}

// Multi-row inserts through unnest: one statement per few thousand rows, never one per row.
export function insertSessions(pool: pg.Pool, sessions: readonly SessionRecord[]): Promise<void> {
  return inChunks(sessions, (chunk) =>
    pool.query(
      `INSERT INTO sessions (org_id, app_id, id, device_id, app_version, os, browser, country, started_at, ended_at,
                             duration_ms, event_count, screen_count, entry_screen, exit_screen, crashed)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::char(2)[],
                            $9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::int[], $13::int[], $14::text[], $15::text[], $16::bool[])`,
      [
        chunk.map((s) => s.orgId), chunk.map((s) => s.appId), chunk.map((s) => s.id), chunk.map((s) => s.deviceId),
        chunk.map((s) => s.version), chunk.map((s) => s.device.os), chunk.map((s) => s.device.browser), chunk.map((s) => s.device.country),
        chunk.map((s) => iso(s.start)), chunk.map((s) => iso(s.end)), chunk.map((s) => s.end - s.start), chunk.map((s) => s.events),
        chunk.map((s) => s.screens), chunk.map((s) => s.entry), chunk.map((s) => s.exit), chunk.map((s) => s.crashed),
      ],
    ),
  );
}

export function insertDevices(pool: pg.Pool, devices: readonly DeviceRecord[]): Promise<void> {
  return inChunks(devices, (chunk) =>
    pool.query(
      `INSERT INTO devices (org_id, app_id, device_id_hash, last_app_version, os, os_version, model, country, locale, first_seen_at, last_seen_at)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::char(2)[], $9::text[], $10::timestamptz[], $11::timestamptz[])`,
      [
        chunk.map((d) => d.orgId), chunk.map((d) => d.appId), chunk.map((d) => d.device.hash), chunk.map((d) => d.version),
        chunk.map((d) => d.device.os), chunk.map((d) => d.device.osVersion), chunk.map((d) => d.device.model),
        chunk.map((d) => d.device.country), chunk.map((d) => d.device.locale), chunk.map((d) => iso(d.firstSeen)), chunk.map((d) => iso(d.lastSeen)),
      ],
    ),
  );
}

/** Placeholder grouping until crash intelligence lands: type + stack without line numbers. */
export function demoFingerprint(kind: CrashKind): string {
  const normalised = kind.stack.replace(/:\d+(:\d+)?/g, ':?');
  return createHash('sha256').update(`${kind.type}\n${normalised}`).digest('hex').slice(0, 16);
}

/** Writes the crash groups (stats consistent with their reports) and the reports; returns the group count. */
export async function insertCrashes(pool: pg.Pool, orgId: string, crashes: readonly CrashRecord[], now: number): Promise<number> {
  const groups = new Map<string, { id: string; appId: number; kind: CrashKind; reports: CrashRecord[] }>();
  for (const crash of crashes) {
    const key = `${crash.appId}:${crash.kindIndex}`;
    const group = groups.get(key) ?? { id: randomUUID(), appId: crash.appId, kind: crash.kind, reports: [] };
    group.reports.push(crash);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    const times = group.reports.map((r) => r.at);
    const versions = [...new Set(group.reports.map((r) => r.version))].sort();
    const ordered = [...group.reports].sort((a, b) => a.at - b.at);
    const resolved = group.kind.status === 'resolved';
    await pool.query(
      `INSERT INTO crash_groups (id, org_id, app_id, fingerprint, crash_type, message, culprit, sample_stack_trace, first_seen_at, last_seen_at,
                                 occurrence_count, affected_versions, affected_device_count, first_version, last_version, status, resolved_at, resolved_in_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        group.id, orgId, group.appId, demoFingerprint(group.kind), group.kind.type, group.kind.message, group.kind.stack.split('\n')[group.kind.stack.startsWith(group.kind.type) ? 1 : 0]?.trim() ?? null,
        group.kind.stack, iso(Math.min(...times)), iso(Math.max(...times)), group.reports.length, versions,
        new Set(group.reports.map((r) => r.deviceId)).size, ordered[0]?.version ?? null, ordered.at(-1)?.version ?? null,
        group.kind.status, resolved ? iso(now) : null, resolved ? versions.at(-1) ?? null : null,
      ],
    );
    await inChunks(group.reports, (chunk) =>
      pool.query(
        `INSERT INTO crash_reports (org_id, app_id, group_id, fingerprint, occurred_at, received_at, device_id, session_id, app_version,
                                    environment, crash_type, message, stack_trace, context, os, os_version, browser, device_model)
         SELECT $1, $2, $3, $4, t.at, t.at + interval '1 second', t.device, t.session, t.version, 'production', $5, $6, $7, t.context, t.os, t.os_version, t.browser, t.model
           FROM unnest($8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[], $15::text[], $16::text[])
             AS t(at, device, session, version, context, os, os_version, browser, model)`,
        [
          orgId, group.appId, group.id, demoFingerprint(group.kind), group.kind.type, group.kind.message, group.kind.stack,
          chunk.map((r) => iso(r.at)), chunk.map((r) => r.deviceId), chunk.map((r) => r.sessionId), chunk.map((r) => r.version),
          chunk.map((r, i) => JSON.stringify({ screen: null, memory_mb: 30 + ((i * 7) % 60), uptime_seconds: 20 + ((i * 37) % 900) })),
          chunk.map((r) => r.device.os), chunk.map((r) => r.device.osVersion), chunk.map((r) => r.device.browser), chunk.map((r) => r.device.model),
        ],
      ),
    );
  }
  return groups.size;
}

import type pg from 'pg';
import type { CrashRecord } from '../ingest/crash.ts';
import { fingerprintCrash, FINGERPRINT_VERSION } from './fingerprint.ts';
import { lockSessions } from './session-lock.ts';
import { isAtOrAfter } from './versions.ts';

// Stores a batch of crash reports and folds them into their groups, in the caller's
// transaction. Only reports stored for the first time count (a replayed batch changes
// nothing); groups are locked in a fixed order, so concurrent writers neither deadlock
// nor lose counts, and exactly one of them sees a new group created.

/** What happened to a group in this batch: what alerts are about. */
export interface GroupOutcome {
  groupId: string;
  orgId: string;
  appId: number;
  fingerprint: string;
  occurrences: number;
  created: boolean;
  /** A resolved group got an occurrence from its resolution version or later. */
  regressed: boolean;
  /** An ignored group passed the occurrence count it was ignored until. */
  unignored: boolean;
}

const MAX_AFFECTED_VERSIONS = 200;

interface Pending {
  orgId: string;
  appId: number;
  fingerprint: string;
  reports: CrashRecord[];
  culprit: string | null;
  frames: unknown;
}

const groupKey = (orgId: string, appId: number, fingerprint: string) => `${orgId}|${appId}|${fingerprint}`;

async function insertReports(client: pg.ClientBase, reports: Array<CrashRecord & { fingerprint: string }>) {
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO crash_reports (id, org_id, app_id, fingerprint, source, occurred_at, received_at, device_id, session_id, user_id,
       app_version, environment, crash_type, level, handled, message, stack_trace, frames, context, breadcrumbs, tags, os, os_version,
       browser, device_model)
     SELECT r."id", r."orgId", r."appId", r."fingerprint", r."source"::"CrashSource", to_timestamp(r."occurredAt" / 1000.0),
       to_timestamp(r."receivedAt" / 1000.0), r."deviceId", r."sessionId", r."userId", r."appVersion", r."environment",
       r."crashType", r."level"::"CrashLevel", r."handled", r."message", r."stackTrace", r."frames",
       COALESCE(r."context", '{}'::jsonb) || jsonb_strip_nulls(jsonb_build_object('country', r."country")), r."breadcrumbs",
       r."tags", r."os", r."osVersion", r."browser", r."deviceModel"
     FROM jsonb_to_recordset($1::jsonb) AS r("id" uuid, "orgId" uuid, "appId" int, "fingerprint" text, "source" text,
       "occurredAt" bigint, "receivedAt" bigint, "deviceId" text, "sessionId" text, "userId" text, "appVersion" text,
       "environment" text, "crashType" text, "level" text, "handled" boolean, "message" text, "stackTrace" text, "frames" jsonb, "context" jsonb,
       "breadcrumbs" jsonb, "tags" jsonb, "os" text, "osVersion" text, "browser" text, "deviceModel" text, "country" text)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [JSON.stringify(reports)],
  );
  return new Set(inserted.rows.map((r) => r.id));
}

/**
 * Sessions that had an unhandled crash crashed (Sentry's crash-free sessions). A session whose
 * events are not stored yet is marked when they come (the sessions derivation looks here).
 */
async function markCrashedSessions(client: pg.ClientBase, unhandled: readonly CrashRecord[]): Promise<void> {
  const sessions = unhandled.filter((r) => r.sessionId !== null);
  if (sessions.length === 0) return;
  // The crash reports are inserted already: after this lock, an event writer creating one of
  // these sessions either committed it (updated below) or will see the reports (session-lock.ts).
  await lockSessions(
    client,
    sessions.map((r) => ({ orgId: r.orgId, appId: r.appId, id: r.sessionId! })),
  );
  await client.query(
    // Locked in key order first, so two writers marking the same sessions cannot deadlock.
    `UPDATE sessions s SET crashed = true, updated_at = now()
     FROM (SELECT t.org_id, t.app_id, t.id FROM sessions t
           JOIN jsonb_to_recordset($1::jsonb) AS k(org_id uuid, app_id int, id text)
             ON t.org_id = k.org_id AND t.app_id = k.app_id AND t.id = k.id
           WHERE NOT t.crashed
           ORDER BY t.org_id, t.app_id, t.id
           FOR UPDATE OF t) k
     WHERE s.org_id = k.org_id AND s.app_id = k.app_id AND s.id = k.id`,
    [JSON.stringify(sessions.map((r) => ({ org_id: r.orgId, app_id: r.appId, id: r.sessionId })))],
  );
}

interface LockedGroup {
  id: string;
  org_id: string;
  app_id: number;
  fingerprint: string;
  status: string;
  resolved_in_version: string | null;
  ignored_until_count: string | null;
  occurrence_count: string;
  affected_versions: string[];
}

/** The new status of a group that exists, given this batch's occurrences. */
function nextStatus(group: LockedGroup, pending: Pending): { status: string; regressed: boolean; unignored: boolean } {
  if (group.status === 'resolved') {
    const regressed = pending.reports.some((r) =>
      isAtOrAfter(r.appVersion, group.resolved_in_version, group.affected_versions),
    );
    return regressed
      ? { status: 'regressed', regressed, unignored: false }
      : { status: group.status, regressed, unignored: false };
  }
  if (group.status === 'ignored' && group.ignored_until_count !== null) {
    const unignored =
      BigInt(group.occurrence_count) + BigInt(pending.reports.length) >= BigInt(group.ignored_until_count);
    return { status: unignored ? 'open' : 'ignored', regressed: false, unignored };
  }
  return { status: group.status, regressed: false, unignored: false };
}

export async function storeAndGroupCrashes(
  client: pg.ClientBase,
  reports: readonly CrashRecord[],
): Promise<GroupOutcome[]> {
  if (reports.length === 0) return [];
  const pending = new Map<string, Pending>();
  // The same report twice in one batch (a resend racing the original) is one report.
  const unique = [...new Map(reports.map((r) => [r.id, r])).values()];
  const fingerprinted = unique.map((report) => {
    const fp = fingerprintCrash({
      crashType: report.crashType,
      message: report.message,
      stackTrace: report.stackTrace,
      frames: Array.isArray(report.frames) ? report.frames : null,
      sdkFingerprint: report.sdkFingerprint,
    });
    const key = groupKey(report.orgId, report.appId, fp.fingerprint);
    const entry = pending.get(key) ?? {
      orgId: report.orgId,
      appId: report.appId,
      fingerprint: fp.fingerprint,
      reports: [],
      culprit: fp.culprit,
      frames: fp.frames.slice(0, 50),
    };
    pending.set(key, entry);
    return { ...report, fingerprint: fp.fingerprint, key };
  });

  const fresh = await insertReports(client, fingerprinted);
  for (const report of fingerprinted) if (fresh.has(report.id)) pending.get(report.key)!.reports.push(report);
  for (const [key, entry] of pending) if (entry.reports.length === 0) pending.delete(key);
  if (pending.size === 0) return [];

  const keys = [...pending.values()].sort((a, b) =>
    groupKey(a.orgId, a.appId, a.fingerprint) < groupKey(b.orgId, b.appId, b.fingerprint) ? -1 : 1,
  );
  const locked = await client.query<LockedGroup>(
    `SELECT g.id, g.org_id, g.app_id, g.fingerprint, g.status, g.resolved_in_version, g.ignored_until_count::text,
       g.occurrence_count::text, g.affected_versions
     FROM crash_groups g
     JOIN jsonb_to_recordset($1::jsonb) AS k(org_id uuid, app_id int, fingerprint text)
       ON g.org_id = k.org_id AND g.app_id = k.app_id AND g.fingerprint = k.fingerprint
     ORDER BY g.org_id, g.app_id, g.fingerprint
     FOR UPDATE OF g`,
    [JSON.stringify(keys.map((k) => ({ org_id: k.orgId, app_id: k.appId, fingerprint: k.fingerprint })))],
  );
  const existing = new Map(locked.rows.map((g) => [groupKey(g.org_id, g.app_id, g.fingerprint), g]));

  const transitions = new Map<string, { regressed: boolean; unignored: boolean }>();
  const rows = keys.map((p) => {
    const key = groupKey(p.orgId, p.appId, p.fingerprint);
    const known = existing.get(key);
    const next = known ? nextStatus(known, p) : null;
    if (next) transitions.set(key, next);
    const byTime = [...p.reports].sort((a, b) => a.occurredAt - b.occurredAt);
    const latest = byTime.at(-1)!;
    const versions = [...new Set(byTime.map((r) => r.appVersion).filter((v): v is string => !!v))];
    return {
      org_id: p.orgId,
      app_id: p.appId,
      fingerprint: p.fingerprint,
      crash_type: latest.crashType,
      message: latest.message,
      culprit: p.culprit,
      level: latest.level,
      stack: latest.stackTrace,
      frames: p.frames,
      first_seen: byTime[0]!.occurredAt,
      last_seen: latest.occurredAt,
      n: p.reports.length,
      unhandled: p.reports.filter((r) => !r.handled).length,
      versions,
      first_version: versions[0] ?? null,
      last_version: latest.appVersion,
      decided: next !== null,
      status: next?.status ?? 'open',
    };
  });

  const upserted = await client.query<{
    id: string;
    org_id: string;
    app_id: number;
    fingerprint: string;
    created: boolean;
  }>(
    `INSERT INTO crash_groups AS g (org_id, app_id, fingerprint, fingerprint_version, crash_type, message, culprit, level,
       sample_stack_trace, sample_frames, first_seen_at, last_seen_at, occurrence_count, unhandled_count, affected_versions,
       first_version, last_version, status)
     SELECT d.org_id, d.app_id, d.fingerprint, ${FINGERPRINT_VERSION}, d.crash_type, d.message, d.culprit, d.level::"CrashLevel",
       d.stack, d.frames, to_timestamp(d.first_seen / 1000.0), to_timestamp(d.last_seen / 1000.0), d.n, d.unhandled,
       ARRAY(SELECT jsonb_array_elements_text(d.versions)), d.first_version, d.last_version, 'open'
     FROM jsonb_to_recordset($1::jsonb) AS d(org_id uuid, app_id int, fingerprint text, crash_type text, message text,
       culprit text, level text, stack text, frames jsonb, first_seen bigint, last_seen bigint, n int, unhandled int, versions jsonb,
       first_version text, last_version text, decided boolean, status text)
     ORDER BY d.org_id, d.app_id, d.fingerprint
     ON CONFLICT (org_id, app_id, fingerprint) DO UPDATE SET
       first_seen_at = LEAST(g.first_seen_at, EXCLUDED.first_seen_at),
       last_seen_at = GREATEST(g.last_seen_at, EXCLUDED.last_seen_at),
       occurrence_count = g.occurrence_count + EXCLUDED.occurrence_count,
       unhandled_count = g.unhandled_count + EXCLUDED.unhandled_count,
       affected_versions = (g.affected_versions || ARRAY(
         SELECT v FROM unnest(EXCLUDED.affected_versions) AS v WHERE v <> ALL (g.affected_versions)))[1:${MAX_AFFECTED_VERSIONS}],
       crash_type = EXCLUDED.crash_type,
       message = EXCLUDED.message,
       level = EXCLUDED.level,
       sample_stack_trace = EXCLUDED.sample_stack_trace,
       sample_frames = EXCLUDED.sample_frames,
       culprit = COALESCE(g.culprit, EXCLUDED.culprit),
       first_version = COALESCE(g.first_version, EXCLUDED.first_version),
       last_version = CASE WHEN EXCLUDED.last_seen_at >= g.last_seen_at THEN COALESCE(EXCLUDED.last_version, g.last_version) ELSE g.last_version END,
       status = (SELECT CASE WHEN d.decided THEN d.status::"CrashStatus" ELSE g.status END
                 FROM jsonb_to_recordset($1::jsonb) AS d(org_id uuid, app_id int, fingerprint text, decided boolean, status text)
                 WHERE d.org_id = g.org_id AND d.app_id = g.app_id AND d.fingerprint = g.fingerprint),
       regressed_at = CASE WHEN g.status = 'resolved' AND EXISTS (
                 SELECT 1 FROM jsonb_to_recordset($1::jsonb) AS d(org_id uuid, app_id int, fingerprint text, status text)
                 WHERE d.org_id = g.org_id AND d.app_id = g.app_id AND d.fingerprint = g.fingerprint AND d.status = 'regressed')
               THEN now() ELSE g.regressed_at END,
       ignored_until_count = CASE WHEN g.status = 'ignored' AND g.ignored_until_count IS NOT NULL
                 AND g.occurrence_count + EXCLUDED.occurrence_count >= g.ignored_until_count THEN NULL ELSE g.ignored_until_count END,
       updated_at = now()
     RETURNING id, org_id, app_id, fingerprint, (xmax = 0) AS created`,
    [JSON.stringify(rows)],
  );

  const ids = new Map(upserted.rows.map((g) => [groupKey(g.org_id, g.app_id, g.fingerprint), g]));
  const links = fingerprinted
    .filter((r) => fresh.has(r.id))
    .map((r) => ({ id: r.id, group_id: ids.get(r.key)!.id, org_id: r.orgId, device_id: r.deviceId }));
  await client.query(
    `UPDATE crash_reports c SET group_id = l.group_id
     FROM jsonb_to_recordset($1::jsonb) AS l(id uuid, group_id uuid)
     WHERE c.id = l.id`,
    [JSON.stringify(links)],
  );
  await client.query(
    `WITH added AS (
       INSERT INTO crash_group_devices (org_id, group_id, device_id)
       SELECT DISTINCT l.org_id, l.group_id, l.device_id
       FROM jsonb_to_recordset($1::jsonb) AS l(org_id uuid, group_id uuid, device_id text)
       ORDER BY l.group_id, l.device_id
       ON CONFLICT DO NOTHING
       RETURNING group_id)
     UPDATE crash_groups g SET affected_device_count = g.affected_device_count + a.n
     FROM (SELECT group_id, count(*)::int AS n FROM added GROUP BY group_id) a
     WHERE g.id = a.group_id`,
    [JSON.stringify(links)],
  );

  await markCrashedSessions(
    client,
    fingerprinted.filter((r) => fresh.has(r.id) && !r.handled),
  );

  return keys.map((p) => {
    const key = groupKey(p.orgId, p.appId, p.fingerprint);
    const group = ids.get(key)!;
    const transition = transitions.get(key);
    return {
      groupId: group.id,
      orgId: p.orgId,
      appId: p.appId,
      fingerprint: p.fingerprint,
      occurrences: p.reports.length,
      created: group.created,
      regressed: transition?.regressed ?? false,
      unignored: transition?.unignored ?? false,
    };
  });
}

// Crash groups and reports for the demo. Groups are created first (reports reference
// them), reports are streamed in batches, and the groups' counters are then computed from
// the stored reports in SQL, so the crash list can never disagree with its reports.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DemoApp } from './catalog.ts';
import type { CrashKind } from './crash-catalog.ts';
import { culpritOf, demoFingerprint, messageFor, renderStack, stackStyle } from './crash-traces.ts';
import type { DemoDevice } from './population.ts';
import type { Random } from './random.ts';

export interface DemoCrashGroup {
  id: string;
  appId: number;
  kind: CrashKind;
  fingerprint: string;
}

export interface CrashOccurrence {
  group: DemoCrashGroup;
  app: DemoApp;
  device: DemoDevice;
  sessionId: string | null;
  version: string;
  versionIndex: number;
  at: number;
  sessionStart: number;
  /** The page, screen or route the user was on. */
  place: string | null;
}

const REPORT_BATCH = 5_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export async function createCrashGroups(
  pool: pg.Pool,
  orgId: string,
  apps: ReadonlyArray<{ app: DemoApp; id: number; releases: readonly number[] }>,
  now: number,
): Promise<DemoCrashGroup[][]> {
  const groups = apps.map(({ app, id }) =>
    app.crashes.map((kind) => ({
      id: randomUUID(),
      appId: id,
      kind,
      fingerprint: demoFingerprint(kind, stackStyle(app.platform, null)),
    })),
  );
  const rows = groups.flat().map((group) => {
    const entry = apps.find((a) => a.id === group.appId);
    const app = entry?.app;
    const fixed = group.kind.fixedIn;
    const resolved = group.kind.status === 'resolved' && fixed !== undefined && app !== undefined;
    const sampleVersion = group.kind.sinceVersion;
    return {
      ...group,
      culprit: culpritOf(group.kind),
      sample: app
        ? renderStack(
            group.kind,
            sampleVersion,
            app.versions[sampleVersion] ?? '',
            stackStyle(app.platform, null),
            null,
          )
        : null,
      resolvedAt: resolved ? iso(Math.min(now, entry?.releases[fixed] ?? now)) : null,
      resolvedIn: resolved ? (app.versions[fixed] ?? null) : null,
    };
  });
  await pool.query(
    `INSERT INTO crash_groups (id, org_id, app_id, fingerprint, crash_type, message, culprit, level, sample_stack_trace, first_seen_at, last_seen_at,
                               status, resolved_at, resolved_in_version, updated_at)
     SELECT t.id, $1, t.app_id, t.fingerprint, t.crash_type, t.message, t.culprit, t.level::"CrashLevel", t.sample, $2, $2,
            t.status::"CrashStatus", t.resolved_at, t.resolved_in, $2
       FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::text[])
         AS t(id, app_id, fingerprint, crash_type, message, culprit, level, sample, status, resolved_at, resolved_in)`,
    [
      orgId,
      iso(now),
      rows.map((r) => r.id),
      rows.map((r) => r.appId),
      rows.map((r) => r.fingerprint),
      rows.map((r) => r.kind.type),
      rows.map((r) => r.kind.message),
      rows.map((r) => r.culprit),
      rows.map((r) => r.kind.level),
      rows.map((r) => r.sample),
      rows.map((r) => r.kind.status),
      rows.map((r) => r.resolvedAt),
      rows.map((r) => r.resolvedIn),
    ],
  );
  return groups;
}

/** Picks the crash (if any) that ends a session on this version. */
export function pickCrash(
  groups: readonly DemoCrashGroup[],
  versionIndex: number,
  sizeFactor: number,
  random: Random,
): DemoCrashGroup | null {
  for (const group of groups) {
    const kind = group.kind;
    if (versionIndex < kind.sinceVersion || (kind.fixedIn !== undefined && versionIndex >= kind.fixedIn)) continue;
    if (random.chance(kind.rate * sizeFactor)) return group;
  }
  return null;
}

/** Collects crash reports and writes them in batches. */
export class CrashReportBatch {
  private rows: Array<{ o: CrashOccurrence; stack: string; message: string; context: string }> = [];
  private readonly stacks = new Map<string, string>();
  count = 0;

  constructor(private readonly random: Random) {}

  /** Adds a report; returns the trace and message it carries, for the matching event. */
  add(o: CrashOccurrence): { stack: string; message: string } {
    const style = stackStyle(o.app.platform, o.device.browser);
    const key = `${o.group.id}:${o.versionIndex}:${style}:${o.device.browser}`;
    let stack = this.stacks.get(key);
    if (stack === undefined) {
      stack = renderStack(o.group.kind, o.versionIndex, o.version, style, o.device.browser);
      this.stacks.set(key, stack);
    }
    const message = messageFor(o.group.kind, o.device.browser);
    const [low, high] = o.group.kind.memoryMb;
    const context: Record<string, unknown> = {
      screen: o.place,
      memory_mb: Math.round(low + this.random.next() * (high - low)),
      uptime_seconds: Math.max(1, Math.round((o.at - o.sessionStart) / 1000)),
    };
    if (o.app.platform === 'WEB') context.url = `https://shop.demo.test${o.place ?? '/'}`;
    // As the browser SDK records it: its global handler caught what the app did not.
    if (o.app.platform === 'WEB' && !o.group.kind.handled) context.source = 'onerror';
    if (o.app.platform === 'NODE') context.route = o.place;
    this.rows.push({ o, stack, message, context: JSON.stringify(context) });
    this.count += 1;
    return { stack, message };
  }

  get full(): boolean {
    return this.rows.length >= REPORT_BATCH;
  }

  /** Hands the pending rows to a write and starts a new batch. */
  take(pool: pg.Pool, orgId: string, now: number): () => Promise<void> {
    const rows = this.rows;
    this.rows = [];
    return async () => {
      if (rows.length === 0) return;
      await pool.query(
        `INSERT INTO crash_reports (org_id, app_id, group_id, fingerprint, occurred_at, received_at, device_id, session_id, app_version,
                                    environment, crash_type, level, handled, message, stack_trace, context, os, os_version, browser, device_model)
         SELECT $1, t.app_id, t.group_id, t.fingerprint, t.at, least(t.at + interval '2 seconds', $18::timestamptz), t.device, t.session, t.version, 'production',
                t.crash_type, t.level::"CrashLevel", t.handled, t.message, t.stack, t.context, t.os, t.os_version, t.browser, t.model
           FROM unnest($2::int[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                       $11::text[], $12::text[], $13::jsonb[], $14::text[], $15::text[], $16::text[], $17::text[], $19::boolean[])
             AS t(app_id, group_id, fingerprint, at, device, session, version, crash_type, level, message, stack, context, os, os_version, browser, model, handled)`,
        [
          orgId,
          rows.map((r) => r.o.group.appId),
          rows.map((r) => r.o.group.id),
          rows.map((r) => r.o.group.fingerprint),
          rows.map((r) => iso(r.o.at)),
          rows.map((r) => r.o.device.hash),
          rows.map((r) => r.o.sessionId),
          rows.map((r) => r.o.version),
          rows.map((r) => r.o.group.kind.type),
          rows.map((r) => r.o.group.kind.level),
          rows.map((r) => r.message),
          rows.map((r) => r.stack),
          rows.map((r) => r.context),
          rows.map((r) => r.o.device.os),
          rows.map((r) => r.o.device.osVersion),
          rows.map((r) => r.o.device.browser),
          rows.map((r) => r.o.device.model),
          iso(now),
          rows.map((r) => r.o.group.kind.handled),
        ],
      );
    };
  }
}

/**
 * Fills every group's counters from its stored reports and drops groups that never
 * happened in this run (a short demo may not reach a rare crash); returns how many remain.
 */
export async function finishCrashGroups(pool: pg.Pool, orgId: string): Promise<number> {
  await pool.query(
    `UPDATE crash_groups g
        SET occurrence_count = s.n, unhandled_count = s.unhandled, first_seen_at = s.first_seen, last_seen_at = s.last_seen, affected_versions = s.versions,
            affected_device_count = s.devices, first_version = s.first_version, last_version = s.last_version, sample_stack_trace = s.sample
       FROM (SELECT group_id, count(*) AS n, count(*) FILTER (WHERE NOT handled) AS unhandled, min(occurred_at) AS first_seen, max(occurred_at) AS last_seen,
                    array_agg(DISTINCT app_version ORDER BY app_version) AS versions, count(DISTINCT device_id) AS devices,
                    (array_agg(app_version ORDER BY occurred_at))[1] AS first_version,
                    (array_agg(app_version ORDER BY occurred_at DESC))[1] AS last_version,
                    (array_agg(stack_trace ORDER BY occurred_at DESC))[1] AS sample
               FROM crash_reports WHERE org_id = $1 GROUP BY group_id) s
      WHERE g.org_id = $1 AND g.id = s.group_id`,
    [orgId],
  );
  await pool.query('DELETE FROM crash_groups WHERE org_id = $1 AND occurrence_count = 0', [orgId]);
  const remaining = await pool.query<{ n: string }>('SELECT count(*) AS n FROM crash_groups WHERE org_id = $1', [
    orgId,
  ]);
  return Number(remaining.rows[0]?.n ?? 0);
}

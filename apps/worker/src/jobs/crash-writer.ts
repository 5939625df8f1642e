import type pg from 'pg';
import type { DeadLetterSink } from './dead-letters.ts';
import type { StreamEntry } from './stream-consumer.ts';

/**
 * Buffered crash reports → crash_reports, idempotent on the report id stamped at ingestion
 * (the id the api answered with). Grouping reads them from there (crash issue).
 */
export function createCrashBatchHandler(deps: { pool: pg.Pool; deadLetter: DeadLetterSink }) {
  return async (entries: StreamEntry[]): Promise<void> => {
    const reports: unknown[] = [];
    for (const entry of entries) {
      try {
        const report = JSON.parse(entry.payload) as { id?: unknown; orgId?: unknown };
        if (typeof report.id !== 'string' || typeof report.orgId !== 'string') throw new Error('not a crash report');
        reports.push(report);
      } catch (error) {
        await deps.deadLetter(entry, error instanceof Error ? error.message : String(error), 'unreadable');
      }
    }
    if (reports.length === 0) return;
    await deps.pool.query(
      `INSERT INTO crash_reports (id, org_id, app_id, source, occurred_at, received_at, device_id, session_id, user_id, app_version,
         environment, crash_type, level, message, stack_trace, frames, context, breadcrumbs, tags, os, os_version, browser, device_model)
       SELECT r."id", r."orgId", r."appId", r."source"::"CrashSource", to_timestamp(r."occurredAt" / 1000.0), to_timestamp(r."receivedAt" / 1000.0),
         r."deviceId", r."sessionId", r."userId", r."appVersion", r."environment", r."crashType", r."level"::"CrashLevel", r."message",
         r."stackTrace", r."frames", COALESCE(r."context", '{}'::jsonb) || jsonb_strip_nulls(jsonb_build_object('country', r."country")), r."breadcrumbs",
         r."tags", r."os", r."osVersion", r."browser", r."deviceModel"
       FROM jsonb_to_recordset($1::jsonb) AS r("id" uuid, "orgId" uuid, "appId" int, "source" text, "occurredAt" bigint, "receivedAt" bigint,
         "deviceId" text, "sessionId" text, "userId" text, "appVersion" text, "environment" text, "crashType" text, "level" text,
         "message" text, "stackTrace" text, "frames" jsonb, "context" jsonb, "breadcrumbs" jsonb, "tags" jsonb, "os" text, "osVersion" text,
         "browser" text, "deviceModel" text, "country" text)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(reports)],
    );
  };
}

-- Crash vs error (issue 18): a crash report is either unhandled (a crash of its session,
-- counted in crash figures and crash-free users/sessions, as Sentry counts them) or a handled
-- error the app reported itself. Until now only level `fatal` counted as a crash.

-- AlterTable
ALTER TABLE "crash_groups" ADD COLUMN     "unhandled_count" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "crash_reports" ADD COLUMN     "handled" BOOLEAN NOT NULL DEFAULT true;

-- CreateIndex
CREATE INDEX "crash_reports_org_id_app_id_session_id_idx" ON "crash_reports"("org_id", "app_id", "session_id");

-- Backfill: what the stored report says about how it was caught.
--   level fatal                          the Node SDK's uncaught errors, the REST default, Sentry's fatal
--   context.source onerror/unhandledrejection   the browser SDK's global handlers
--   context.sentry.mechanism.handled false      a Sentry SDK's global handlers
--   crash_type lua_error                 an app dying on a Lua error
-- Everything else (level error/warning/info from captureError or Sentry's captureException) stays handled.
UPDATE "crash_reports" SET "handled" = false
 WHERE "level" = 'fatal'
    OR "context"->>'source' IN ('onerror', 'unhandledrejection')
    OR "context"->'sentry'->'mechanism'->>'handled' = 'false'
    OR "crash_type" = 'lua_error';

UPDATE "crash_groups" g SET "unhandled_count" = s.n
  FROM (SELECT "group_id", count(*) AS n FROM "crash_reports"
         WHERE NOT "handled" AND "group_id" IS NOT NULL GROUP BY "group_id") s
 WHERE g."id" = s."group_id";

-- A session with an unhandled crash report crashed (before, only crash events marked it).
UPDATE "sessions" s SET "crashed" = true
  FROM (SELECT DISTINCT "org_id", "app_id", "session_id" FROM "crash_reports"
         WHERE NOT "handled" AND "session_id" IS NOT NULL) c
 WHERE s."org_id" = c."org_id" AND s."app_id" = c."app_id" AND s."id" = c."session_id" AND NOT s."crashed";

-- The hours whose crash figures change (reports that were not fatal and are now crashes):
-- the worker's aggregator recomputes their hourly and daily rollups and crashed devices.
-- Sessions' days are covered too: a crash's hour is its session's day in all but overnight cases.
INSERT INTO "rollup_dirty_hours" ("org_id", "app_id", "hour")
SELECT DISTINCT "org_id", "app_id", date_trunc('hour', "occurred_at", 'UTC')
  FROM "crash_reports"
 WHERE NOT "handled" AND "level" <> 'fatal'
ON CONFLICT ("org_id", "app_id", "hour") DO NOTHING;

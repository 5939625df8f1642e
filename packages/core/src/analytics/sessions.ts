import { markDirtyHours, type EventRow } from '@sightline/db/event-store';
import type pg from 'pg';
import { lockSessions } from '../crashes/session-lock.ts';

// Sessions are derived from the events themselves: the event writer hands each batch's newly
// stored rows here, inside the transaction that stored them.

interface SessionDelta {
  orgId: string;
  appId: number;
  id: string;
  deviceId: string;
  userId: string | null;
  appVersion: string | null;
  os: string | null;
  browser: string | null;
  country: string | null;
  startedAt: number;
  endedAt: number;
  events: number;
  screens: number;
  entryScreen: string | null;
  exitScreen: string | null;
  crashed: boolean;
}

const SCREEN_TYPES = new Set(['screen_view', 'page_view']);
const CRASH_TYPES = new Set(['app_crash', 'lua_error']);
const time = (t: Date | number): number => (typeof t === 'number' ? t : t.getTime());

/** Sessions touched by a batch: start, end, duration, event and screen counts, crashed. */
export function sessionDeltas(rows: readonly EventRow[]): SessionDelta[] {
  const sessions = new Map<string, SessionDelta>();
  for (const row of rows) {
    if (!row.sessionId) continue;
    const key = `${row.orgId}|${row.appId}|${row.sessionId}`;
    const at = time(row.occurredAt);
    const screen = SCREEN_TYPES.has(row.type) ? (row.name ?? null) : null;
    let s = sessions.get(key);
    if (!s) {
      s = {
        orgId: row.orgId,
        appId: row.appId,
        id: row.sessionId,
        deviceId: row.deviceId,
        userId: row.userId ?? null,
        appVersion: row.appVersion ?? null,
        os: row.os ?? null,
        browser: row.browser ?? null,
        country: row.country ?? null,
        startedAt: at,
        endedAt: at,
        events: 0,
        screens: 0,
        entryScreen: null,
        exitScreen: null,
        crashed: false,
      };
      sessions.set(key, s);
    }
    s.events += 1;
    if (screen) {
      s.screens += 1;
      if (!s.entryScreen || at < s.startedAt) s.entryScreen = screen;
      if (!s.exitScreen || at >= s.endedAt) s.exitScreen = screen;
    }
    // A crash event, or a Sentry session that ended crashed.
    if (CRASH_TYPES.has(row.type) || (row.type === 'session_end' && row.name === 'crashed')) s.crashed = true;
    s.startedAt = Math.min(s.startedAt, at);
    s.endedAt = Math.max(s.endedAt, at);
  }
  return [...sessions.values()].sort((a, b) => (a.orgId + a.appId + a.id < b.orgId + b.appId + b.id ? -1 : 1));
}

/**
 * Upserts the batch's sessions (in a fixed order, so concurrent writers cannot deadlock).
 * Runs inside the events' transaction with only the rows newly stored: a replayed batch
 * counts nothing twice, and a crash between the two cannot lose a session.
 */
export async function deriveSessions(client: pg.ClientBase, rows: readonly EventRow[]): Promise<void> {
  const deltas = sessionDeltas(rows);
  if (deltas.length === 0) return;
  // Before looking for unhandled crash reports below: a crash writer marking one of these
  // sessions at the same time has then committed its reports, or waits and sees the row.
  await lockSessions(client, deltas);
  const { rows: stored } = await client.query<{ org_id: string; app_id: number; started_at: Date; ended_at: Date }>(
    `INSERT INTO sessions AS s (org_id, app_id, id, device_id, user_id, app_version, os, browser, country, started_at, ended_at,
       duration_ms, event_count, screen_count, entry_screen, exit_screen, crashed, updated_at)
     SELECT d.org_id, d.app_id, d.id, d.device_id, d.user_id, d.app_version, d.os, d.browser, d.country,
       to_timestamp(d.started_at / 1000.0), to_timestamp(d.ended_at / 1000.0), d.ended_at - d.started_at,
       d.events, d.screens, d.entry_screen, d.exit_screen,
       -- An unhandled crash report may have come before the session's events (Sentry's crashed session).
       d.crashed OR EXISTS (SELECT 1 FROM crash_reports c
         WHERE c.org_id = d.org_id AND c.app_id = d.app_id AND c.session_id = d.id AND NOT c.handled), now()
     FROM jsonb_to_recordset($1::jsonb) AS d(org_id uuid, app_id int, id text, device_id text, user_id text, app_version text, os text,
       browser text, country char(2), started_at bigint, ended_at bigint, events int, screens int, entry_screen text, exit_screen text, crashed boolean)
     ON CONFLICT (org_id, app_id, id) DO UPDATE SET
       started_at = LEAST(s.started_at, EXCLUDED.started_at),
       ended_at = GREATEST(s.ended_at, EXCLUDED.ended_at),
       duration_ms = (EXTRACT(EPOCH FROM GREATEST(s.ended_at, EXCLUDED.ended_at) - LEAST(s.started_at, EXCLUDED.started_at)) * 1000)::bigint,
       event_count = s.event_count + EXCLUDED.event_count,
       screen_count = s.screen_count + EXCLUDED.screen_count,
       entry_screen = CASE WHEN EXCLUDED.started_at < s.started_at THEN COALESCE(EXCLUDED.entry_screen, s.entry_screen) ELSE COALESCE(s.entry_screen, EXCLUDED.entry_screen) END,
       exit_screen = CASE WHEN EXCLUDED.ended_at >= s.ended_at THEN COALESCE(EXCLUDED.exit_screen, s.exit_screen) ELSE COALESCE(s.exit_screen, EXCLUDED.exit_screen) END,
       crashed = s.crashed OR EXCLUDED.crashed,
       updated_at = now()
     RETURNING org_id, app_id, started_at, ended_at`,
    [
      JSON.stringify(
        deltas.map((d) => ({
          org_id: d.orgId,
          app_id: d.appId,
          id: d.id,
          device_id: d.deviceId,
          user_id: d.userId,
          app_version: d.appVersion,
          os: d.os,
          browser: d.browser,
          country: d.country,
          started_at: d.startedAt,
          ended_at: d.endedAt,
          events: d.events,
          screens: d.screens,
          entry_screen: d.entryScreen,
          exit_screen: d.exitScreen,
          crashed: d.crashed,
        })),
      ),
    ],
  );
  // Daily session figures count sessions by the day they started; one that ran past midnight
  // changed a day these events do not mark, so mark its first hour for the aggregator.
  const DAY = 86_400_000;
  const overnight = stored.filter(
    (r) => Math.floor(r.started_at.getTime() / DAY) !== Math.floor(r.ended_at.getTime() / DAY),
  );
  await markDirtyHours(
    client,
    overnight.map((r) => ({ orgId: r.org_id, appId: r.app_id, occurredAt: r.started_at })),
  );
}

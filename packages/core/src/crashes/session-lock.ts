import type pg from 'pg';

// A session's `crashed` flag is set from two sides: the crash writer marks a stored session
// when an unhandled report arrives, and the event writer's session upsert looks for unhandled
// reports of the sessions it creates. In two concurrent transactions neither sees the other's
// uncommitted row, so both could miss. Both take this lock per session (in the caller's
// transaction, until it commits) before looking: whichever comes second sees what the first
// committed. Keys are taken in sorted order, so writers locking many sessions cannot deadlock.

/** Advisory-lock class of session keys (the two-key form: apart from every one-key lock). */
const SESSION_LOCK_CLASS = 0x5e55;

export interface SessionKey {
  orgId: string;
  appId: number;
  id: string;
}

export async function lockSessions(client: pg.ClientBase, sessions: readonly SessionKey[]): Promise<void> {
  if (sessions.length === 0) return;
  await client.query(
    `SELECT pg_advisory_xact_lock($2::int, k.h)
     FROM (SELECT DISTINCT hashtext(s.org_id || ':' || s.app_id || ':' || s.id) AS h
           FROM jsonb_to_recordset($1::jsonb) AS s(org_id text, app_id int, id text) ORDER BY 1) k`,
    [JSON.stringify(sessions.map((s) => ({ org_id: s.orgId, app_id: s.appId, id: s.id }))), SESSION_LOCK_CLASS],
  );
}

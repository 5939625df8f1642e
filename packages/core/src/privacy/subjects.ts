import type pg from 'pg';
import { dataKindTables } from '../data-kinds/registry.ts';
import type { SubjectRows } from '../data-kinds/types.ts';
import { sentryUserDeviceId } from '../ingest/derived-identity.ts';

// Who a GDPR request is about, as rows. A device subject is every row of that device. A
// user subject (the app's own user id, sent as `user_id`) is every row carrying that id,
// plus the anonymous rows and the per-device records of the devices only that user used;
// a device shared with another identified user keeps its device-level records and its
// anonymous rows, which cannot be told apart — deleting them would touch another subject.

export interface SubjectTarget {
  orgId: string;
  appId: number;
  /** Devices (stored hashed ids) whose device-level records belong to the subject. */
  devices: string[];
  /** The app's user id, for a user subject. */
  userId: string | null;
}

/** A gdpr_requests row as the worker's jobs read it. */
export interface GdprRequestRow {
  id: string;
  org_id: string;
  app_id: number | null;
  scope: 'SUBJECT' | 'APP' | 'ORG';
  subject_type: 'DEVICE' | 'USER' | null;
  subject_key: string | null;
}

/** Tables of raw rows that carry both `device_id` and `user_id` (events, sessions, crash reports). */
const USER_TABLES = dataKindTables()
  .filter((table) => table.rawRows)
  .map((table) => table.name);

/**
 * The condition for the subject's raw rows (events, sessions, crash reports) with
 * $1 org, $2 app, $3 devices (text[]), $4 user id (or null); `alias` prefixes columns.
 */
export function subjectRows(target: SubjectTarget, alias = ''): string {
  const c = (column: string) => `${alias ? `${alias}.` : ''}${column}`;
  const scope = `${c('org_id')} = $1 AND ${c('app_id')} = $2`;
  return target.userId === null
    ? `${scope} AND ${c('device_id')} = ANY($3::text[])`
    : `${scope} AND (${c('user_id')} = $4 OR (${c('device_id')} = ANY($3::text[]) AND ${c('user_id')} IS NULL))`;
}

/**
 * `subjectRows` for crash_reports. A device subject is a device of the SDK; the Sentry
 * routes never file a report under one of those. Reports filed before Sentry devices had a
 * namespace of their own sit under ids a pk_ holder can register, so they are left out here
 * and reached by the user's id instead.
 */
export function subjectCrashRows(target: SubjectTarget, alias = ''): string {
  const rows = subjectRows(target, alias);
  return target.userId === null ? `${rows} AND ${alias ? `${alias}.` : ''}source <> 'sentry'` : rows;
}

/** The parameters of `subjectRows` (a device subject's condition has no $4). */
export const subjectParams = (target: SubjectTarget): unknown[] =>
  target.userId === null
    ? [target.orgId, target.appId, target.devices]
    : [target.orgId, target.appId, target.devices, target.userId];

const deviceParams = (target: SubjectTarget): unknown[] => [target.orgId, target.appId, target.devices];

/** The condition and parameters that pick the subject's rows as a registry entry names them. */
export function subjectCondition(target: SubjectTarget, rows: SubjectRows): { where: string; params: unknown[] } {
  switch (rows.of) {
    case 'subject':
      return { where: subjectRows(target), params: subjectParams(target) };
    case 'subject-crash':
      return { where: subjectCrashRows(target), params: subjectParams(target) };
    case 'devices':
      return { where: rows.where, params: deviceParams(target) };
  }
}

/**
 * The devices of a user subject: those that sent rows with the user's id, and the Sentry
 * device named after that id (its sessions carry no user id), less those that also sent
 * rows with another user's id. One pass over the app's raw rows; the deletion job stores
 * the answer, so a resumed job deletes what it first set out to.
 */
export async function userDevices(pool: pg.Pool, orgId: string, appId: number, userId: string): Promise<string[]> {
  const app = await pool.query<{ device_id_salt: string }>(
    'SELECT device_id_salt FROM apps WHERE org_id = $1 AND id = $2',
    [orgId, appId],
  );
  const salt = app.rows[0]?.device_id_salt;
  if (salt === undefined) return [];
  const union = (where: string) =>
    USER_TABLES.map((t) => `SELECT device_id, user_id FROM ${t} WHERE org_id = $1 AND app_id = $2 AND ${where}`).join(
      ' UNION ',
    );
  const { rows } = await pool.query<{ device_id: string }>(
    `WITH mine AS (SELECT DISTINCT device_id FROM (${union('(user_id = $3 OR device_id = $4)')}) r),
          shared AS (SELECT DISTINCT device_id FROM (${union(
            'user_id IS NOT NULL AND user_id <> $3 AND device_id IN (SELECT device_id FROM mine)',
          )}) r)
     SELECT device_id FROM mine WHERE device_id NOT IN (SELECT device_id FROM shared) ORDER BY device_id`,
    [orgId, appId, userId, sentryUserDeviceId(salt, userId)],
  );
  return rows.map((r) => r.device_id);
}

/** Thrown when another worker is still carrying out the request: the job is retried later. */
export class RequestBusyError extends Error {
  override name = 'RequestBusyError';
}

const REQUEST_LOCK = 0x5e7e_0002;

/**
 * Runs a request's job while holding a session advisory lock on it, so two workers never
 * carry out one request at once (a job handed on as stalled while its first worker is
 * still alive). The lock goes with the connection if the worker dies; `run` may use that
 * connection (the job then needs one more from the pool at most).
 */
export async function withRequestLock<T>(
  pool: pg.Pool,
  requestId: string,
  run: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [REQUEST_LOCK, requestId],
    );
    if (!rows[0]?.locked) throw new RequestBusyError(`request ${requestId} is being carried out by another worker`);
    try {
      return await run(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REQUEST_LOCK, requestId]);
    }
  } finally {
    client.release();
  }
}

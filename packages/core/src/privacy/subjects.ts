import type pg from 'pg';

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

/** Tables of raw rows that carry both `device_id` and `user_id`. */
const USER_TABLES = ['events', 'sessions', 'crash_reports'] as const;

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

/** The parameters of `subjectRows` (a device subject's condition has no $4). */
export const subjectParams = (target: SubjectTarget): unknown[] =>
  target.userId === null
    ? [target.orgId, target.appId, target.devices]
    : [target.orgId, target.appId, target.devices, target.userId];

/**
 * The devices of a user subject: those that sent rows with the user's id, less those that
 * also sent rows with another user's id. One pass over the app's raw rows; the deletion
 * job stores the answer, so a resumed job deletes what it first set out to.
 */
export async function userDevices(pool: pg.Pool, orgId: string, appId: number, userId: string): Promise<string[]> {
  const union = (where: string) =>
    USER_TABLES.map((t) => `SELECT device_id, user_id FROM ${t} WHERE org_id = $1 AND app_id = $2 AND ${where}`).join(
      ' UNION ',
    );
  const { rows } = await pool.query<{ device_id: string }>(
    `WITH mine AS (SELECT DISTINCT device_id FROM (${union('user_id = $3')}) r),
          shared AS (SELECT DISTINCT device_id FROM (${union(
            'user_id IS NOT NULL AND user_id <> $3 AND device_id IN (SELECT device_id FROM mine)',
          )}) r)
     SELECT device_id FROM mine WHERE device_id NOT IN (SELECT device_id FROM shared) ORDER BY device_id`,
    [orgId, appId, userId],
  );
  return rows.map((r) => r.device_id);
}

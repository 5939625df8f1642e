import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyJson, copyNumber, copyText, copyTime } from './copy-encoding.ts';
import { dayIndexOf, ensureEventPartitions } from './partitions.ts';

/** One raw event row as the worker hands it to the store. */
export interface EventRow {
  orgId: string;
  appId: number;
  /** UUID stamped at ingestion (or sent by the SDK): the idempotency key with appId. */
  id: string;
  occurredAt: Date | number;
  receivedAt: Date | number;
  type: string;
  name?: string | null;
  deviceId: string;
  sessionId?: string | null;
  userId?: string | null;
  appVersion?: string | null;
  environment?: string | null;
  os?: string | null;
  osVersion?: string | null;
  browser?: string | null;
  deviceModel?: string | null;
  country?: string | null;
  value?: number | null;
  /** An object, or JSON text already serialised upstream. */
  data?: unknown;
}

export const EVENT_COLUMNS = [
  'org_id',
  'app_id',
  'id',
  'occurred_at',
  'received_at',
  'type',
  'name',
  'device_id',
  'session_id',
  'user_id',
  'app_version',
  'environment',
  'os',
  'os_version',
  'browser',
  'device_model',
  'country',
  'value',
  'data',
] as const;

export function encodeEventRow(row: EventRow): string {
  return `${row.orgId}\t${row.appId}\t${row.id}\t${copyTime(row.occurredAt)}\t${copyTime(row.receivedAt)}\t${copyText(row.type)}\t${copyText(row.name)}\t${copyText(row.deviceId)}\t${copyText(row.sessionId)}\t${copyText(row.userId)}\t${copyText(row.appVersion)}\t${copyText(row.environment)}\t${copyText(row.os)}\t${copyText(row.osVersion)}\t${copyText(row.browser)}\t${copyText(row.deviceModel)}\t${copyText(row.country)}\t${copyNumber(row.value)}\t${copyJson(row.data)}\n`;
}

export interface WriteResult {
  /** Rows newly stored. */
  inserted: number;
  /** Rows already stored by an earlier write (or repeated within the batch). */
  duplicates: number;
}

/** Work done in the same transaction as the insert, given only the rows newly stored. */
export type WithinWrite = (client: pg.PoolClient, inserted: readonly EventRow[]) => Promise<void>;

export interface EventWriter {
  write(rows: readonly EventRow[], withinWrite?: WithinWrite): Promise<WriteResult>;
}

const UNIQUE_VIOLATION = '23505';
const CHUNK_ROWS = 2_000;
const HOUR_MS = 3_600_000;

/**
 * COPY-based batch writer for `events`, idempotent on (app, event id).
 *
 * The common case — a batch never seen before — goes straight to COPY into `events`,
 * which is as fast as PostgreSQL ingests. A replayed batch (a worker died after commit
 * but before acking) hits the primary key, rolls back, and takes the slow path: COPY into
 * a temporary table, then INSERT … ON CONFLICT DO NOTHING. Either way one transaction
 * also marks the touched hours dirty for the aggregator.
 */
export function createEventWriter(pool: pg.Pool): EventWriter {
  const knownDays = new Set<number>();

  async function ensurePartitions(rows: readonly EventRow[]): Promise<void> {
    const missing = new Set<number>();
    for (const row of rows) {
      const day = dayIndexOf(row.occurredAt);
      if (!knownDays.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    await ensureEventPartitions(pool, missing);
    for (const day of missing) knownDays.add(day);
  }

  return {
    async write(rows, withinWrite) {
      if (rows.length === 0) return { inserted: 0, duplicates: 0 };
      await ensurePartitions(rows);
      const client = await pool.connect();
      // A connection lost between statements is reported as an 'error' event; the statement
      // in flight fails too and the batch is retried, so the event itself needs no handling.
      const ignoreLostConnection = () => undefined;
      client.on('error', ignoreLostConnection);
      try {
        try {
          await client.query('BEGIN');
          await copyRows(client, 'events', rows);
          await markDirtyHours(client, rows);
          await withinWrite?.(client, rows);
          await client.query('COMMIT');
          return { inserted: rows.length, duplicates: 0 };
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (!isUniqueViolation(error)) throw error;
        }
        return await writeDeduplicated(client, rows, withinWrite);
      } finally {
        client.removeListener('error', ignoreLostConnection);
        client.release();
      }
    },
  };
}

async function writeDeduplicated(
  client: pg.PoolClient,
  rows: readonly EventRow[],
  withinWrite?: WithinWrite,
): Promise<WriteResult> {
  try {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS events_staging (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
    );
    await copyRows(client, 'events_staging', rows);
    const columns = EVENT_COLUMNS.join(', ');
    const result = await client.query<{ app_id: number; id: string }>(
      `INSERT INTO events (${columns})
       SELECT DISTINCT ON (org_id, app_id, occurred_at, id) ${columns} FROM events_staging
       ON CONFLICT DO NOTHING
       RETURNING app_id, id`,
    );
    await markDirtyHours(client, rows);
    if (withinWrite) {
      const fresh = new Set(result.rows.map((r) => `${r.app_id}:${r.id}`));
      const inserted = rows.filter((row) => fresh.delete(`${row.appId}:${row.id}`));
      if (inserted.length > 0) await withinWrite(client, inserted);
    }
    await client.query('COMMIT');
    const inserted = result.rowCount ?? 0;
    return { inserted, duplicates: rows.length - inserted };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function copyRows(client: pg.PoolClient, table: string, rows: readonly EventRow[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${EVENT_COLUMNS.join(', ')}) FROM STDIN`));
  // Encoding chunk by chunk lets PostgreSQL parse one chunk while Node encodes the next.
  function* chunks(): Generator<string> {
    for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
      let text = '';
      const end = Math.min(start + CHUNK_ROWS, rows.length);
      for (let i = start; i < end; i++) text += encodeEventRow(rows[i] as EventRow);
      yield text;
    }
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), stream);
}

/**
 * Marks the (app, hour)s these rows fall in as needing a rollup — events here, crash
 * reports from the crash writer — in the caller's transaction.
 */
export async function markDirtyHours(
  client: pg.ClientBase,
  rows: ReadonlyArray<Pick<EventRow, 'orgId' | 'appId' | 'occurredAt'>>,
): Promise<void> {
  if (rows.length === 0) return;
  const touched = new Map<string, { orgId: string; appId: number; hour: number }>();
  for (const row of rows) {
    const ms = typeof row.occurredAt === 'number' ? row.occurredAt : row.occurredAt.getTime();
    const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
    const key = `${row.appId}:${hour}`;
    if (!touched.has(key)) touched.set(key, { orgId: row.orgId, appId: row.appId, hour });
  }
  // Upsert in one global order: two writers whose batches share hours then lock those rows
  // in the same sequence and cannot deadlock.
  const sorted = [...touched.values()].sort(
    (a, b) => a.orgId.localeCompare(b.orgId) || a.appId - b.appId || a.hour - b.hour,
  );
  const orgIds = sorted.map((t) => t.orgId);
  const appIds = sorted.map((t) => t.appId);
  const hours = sorted.map((t) => new Date(t.hour).toISOString());
  await client.query(
    // clock_timestamp(), not now(): a long transaction's mark must not date from its start, or
    // the aggregator could clear it as already rolled up while its events were uncommitted.
    `INSERT INTO rollup_dirty_hours (org_id, app_id, hour, marked_at, first_marked_at)
     SELECT org_id, app_id, hour, clock_timestamp(), clock_timestamp() FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) WITH ORDINALITY AS t(org_id, app_id, hour, n)
     ORDER BY n
     ON CONFLICT (org_id, app_id, hour) DO UPDATE SET marked_at = clock_timestamp()`,
    [orgIds, appIds, hours],
  );
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === UNIQUE_VIOLATION;
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import type { PrismaClient } from '@sightline/db';
import { listEventPartitions } from '@sightline/db/event-store';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { isUuid } from '../ids.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { DATA_KINDS, dataKindTables } from '../data-kinds/registry.ts';
import { subjectCondition, userDevices, withRequestLock, type GdprRequestRow, type SubjectTarget } from './subjects.ts';

// GDPR exports: everything held about one subject — a device or an app's user id (each data
// kind's sections, data-kinds/registry.ts) — as one gzip JSON document, or
// an organization's data as gzip JSON lines; built by a worker job and kept 24 hours. The download link is signed over the request, its org and its expiry: a
// changed link, another org's or an expired one finds nothing (404).

export const EXPORT_TTL_MS = 24 * 3_600_000;

export interface ExportRequestAnswer {
  id: string;
  status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  /** Signed, valid until `expiresAt`. */
  downloadPath: string;
  expiresAt: string;
}

function signature(secret: string, requestId: string, orgId: string, expires: number): string {
  return createHmac('sha256', secret).update(`gdpr-export:${requestId}:${orgId}:${expires}`).digest('base64url');
}

/** The signed path of an export's bundle, valid until `expires`. */
export function exportLink(secret: string, request: { id: string; orgId: string }, expires: number): string {
  return `/v1/privacy/exports/${request.id}?expires=${expires}&sig=${signature(secret, request.id, request.orgId, expires)}`;
}

/**
 * `GET /v1/privacy/export`: the device asks for its data. A fresh export (or one still
 * being built) is reused; otherwise a new request is made and the caller queues its job.
 */
export async function requestDeviceExport(
  prisma: PrismaClient,
  principal: Principal,
  secret: string,
  now = Date.now(),
): Promise<ExportRequestAnswer & { queue: boolean; created: boolean }> {
  if (principal.kind !== 'device_token' || principal.appId === undefined || !principal.deviceIdHash) {
    throw new AppError('FORBIDDEN', 'ask for an export with the device token (dt_…) of the device');
  }
  const { orgId, appId, deviceIdHash } = principal;
  const existing = await prisma.gdprRequest.findFirst({
    where: {
      orgId,
      appId,
      kind: 'EXPORT',
      subjectKey: deviceIdHash,
      OR: [{ status: { in: ['PENDING', 'RUNNING'] } }, { status: 'COMPLETED', resultExpiresAt: { gt: new Date(now) } }],
    },
    orderBy: { createdAt: 'desc' },
  });
  const request =
    existing ??
    (await prisma.$transaction(async (tx) => {
      const created = await tx.gdprRequest.create({
        data: {
          orgId,
          appId,
          kind: 'EXPORT',
          scope: 'SUBJECT',
          subjectType: 'DEVICE',
          subjectKey: deviceIdHash,
          requestedByType: 'DEVICE',
          requestedById: principal.deviceId ?? null,
          resultExpiresAt: new Date(now + EXPORT_TTL_MS),
        },
      });
      await recordAudit(
        tx,
        orgId,
        principal.deviceId ? { type: 'DEVICE', id: principal.deviceId } : { type: 'SYSTEM' },
        'gdpr.export_requested',
        { type: 'gdpr_request', id: created.id },
        { appId },
      );
      return created;
    }));
  const expires = (request.resultExpiresAt ?? new Date(now + EXPORT_TTL_MS)).getTime();
  return {
    id: request.id,
    status: request.status,
    downloadPath: exportLink(secret, request, expires),
    expiresAt: new Date(expires).toISOString(),
    queue: !existing || request.status !== 'COMPLETED',
    created: !existing,
  };
}

/** A stored bundle is cut in parts of this size (compressed) by default. */
const PART_BYTES = 4 * 1024 * 1024;

/**
 * Gzips what `write` produces into the request's parts 0…n (a rebuilt bundle replaces an
 * earlier one, parts and all). Returns the compressed size and the number of parts.
 */
async function storeBundle(
  pool: pg.Pool,
  request: { id: string; org_id: string },
  write: (line: (text: string) => Promise<void>) => Promise<void>,
  partBytes: number,
): Promise<{ bytes: number; parts: number }> {
  const gz = createGzip();
  let part = 0;
  let bytes = 0;
  const flush = async (chunks: Buffer[]) => {
    const content = Buffer.concat(chunks);
    bytes += content.length;
    await pool.query(
      `INSERT INTO gdpr_export_files (request_id, part, org_id, content) VALUES ($1, $2, $3, $4)
       ON CONFLICT (request_id, part) DO UPDATE SET content = EXCLUDED.content, created_at = now()`,
      [request.id, part++, request.org_id, content],
    );
  };
  const stored = (async () => {
    let chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of gz as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= partBytes) {
        await flush(chunks);
        chunks = [];
        size = 0;
      }
    }
    if (chunks.length > 0 || part === 0) await flush(chunks);
  })();
  try {
    await write(async (text) => {
      if (!gz.write(text)) await once(gz, 'drain');
    });
    gz.end();
  } catch (error) {
    gz.destroy();
    await stored.catch(() => undefined);
    throw error;
  }
  await stored;
  await pool.query('DELETE FROM gdpr_export_files WHERE request_id = $1 AND part >= $2', [request.id, part]);
  return { bytes, parts: part };
}

const asJson = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));

/** Everything held about one subject (a device or an app's user id), as one JSON document. */
async function subjectBundle(
  pool: pg.Pool,
  request: { app_id: number; org_id: string; subject_type: 'DEVICE' | 'USER'; subject_key: string },
): Promise<Record<string, unknown>> {
  const userId = request.subject_type === 'USER' ? request.subject_key : null;
  const target: SubjectTarget = {
    orgId: request.org_id,
    appId: request.app_id,
    devices: userId === null ? [request.subject_key] : await userDevices(pool, request.org_id, request.app_id, userId),
    userId,
  };
  const bundle: Record<string, unknown> = {
    format: 'sightline-subject-export/1',
    exportedAt: new Date().toISOString(),
    subject:
      userId === null
        ? { type: 'device', appId: request.app_id, deviceId: request.subject_key }
        : { type: 'user', appId: request.app_id, userId, devices: target.devices },
  };
  for (const { section, rows, select } of DATA_KINDS.flatMap((kind) => kind.subjectExport)) {
    const { where, params } = subjectCondition(target, rows);
    bundle[section] = (await pool.query<Record<string, unknown>>(select(where), params)).rows;
  }
  return bundle;
}

/**
 * An organization's data, one JSON line per row ("section" and "row"), read through
 * cursors so no table is held in memory (raw events are read after these, see writeOrgExport). Credentials (key and
 * token hashes, device-id salts, channel secrets) are left out.
 */
const ORG_SETTINGS: ReadonlyArray<readonly [section: string, from: string, omit: readonly string[]]> = [
  ['organization', 'organizations t WHERE t.id = $1', []],
  [
    'members',
    `(SELECT m.*, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1) t`,
    [],
  ],
  ['apps', 'apps t WHERE t.org_id = $1', ['device_id_salt']],
  ['ingest_keys', 'ingest_keys t WHERE t.org_id = $1', ['key_hash', 'plaintext']],
  ['api_keys', 'api_keys t WHERE t.org_id = $1', ['key_hash']],
  [
    // A webhook's URL can work as a credential (Slack incoming webhooks): left out with the secrets.
    'notification_channels',
    `(SELECT c.*, c.config - 'url' AS settings FROM notification_channels c WHERE c.org_id = $1) t`,
    ['secret_ciphertext', 'url_ciphertext', 'config'],
  ],
  ['alert_rules', 'alert_rules t WHERE t.org_id = $1', []],
];

/**
 * The sections: the organization's settings, then each data kind's tables that have one
 * (data-kinds/registry.ts; those partitioned by day — raw events — follow on their own, see
 * writeOrgExport), then the audit log.
 */
const ORG_SECTIONS: ReadonlyArray<readonly [section: string, from: string, omit: readonly string[]]> = [
  ...ORG_SETTINGS,
  ...dataKindTables().flatMap((table) =>
    'omit' in table.orgExport && !table.partitionedByDay
      ? [[table.name, `${table.name} t WHERE t.org_id = $1`, table.orgExport.omit] as const]
      : [],
  ),
  ['audit_logs', 'audit_logs t WHERE t.org_id = $1', []],
];

/** Streams one query's rows as export lines through a cursor on `client` (inside a transaction). */
async function copySection(
  client: pg.PoolClient,
  section: string,
  from: string,
  omit: readonly string[],
  orgId: string,
  line: (text: string) => Promise<void>,
): Promise<void> {
  await client.query(
    `DECLARE org_export NO SCROLL CURSOR FOR
       SELECT jsonb_build_object('section', $2::text, 'row', to_jsonb(t) - $3::text[])::text AS line FROM ${from}`,
    [orgId, section, omit],
  );
  for (;;) {
    const { rows } = await client.query<{ line: string }>('FETCH 2000 FROM org_export');
    if (rows.length === 0) break;
    await line(`${rows.map((r) => r.line).join('\n')}\n`);
  }
  await client.query('CLOSE org_export');
}

/**
 * Everything but raw events is read in one snapshot. Raw events follow a day partition
 * at a time, each in its own short transaction on the partition itself: a transaction left
 * open on `events` for a long export would queue the next partition's creation, and every
 * write to `events` behind it.
 */
async function writeOrgExport(
  pool: pg.Pool,
  client: pg.PoolClient,
  orgId: string,
  line: (text: string) => Promise<void>,
): Promise<void> {
  await line(`${asJson({ format: 'sightline-org-export/1', orgId, exportedAt: new Date().toISOString() })}\n`);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const [section, from, omit] of ORG_SECTIONS) await copySection(client, section, from, omit, orgId, line);
    await client.query('COMMIT');
    for (const partition of await listEventPartitions(pool)) {
      await client.query('BEGIN READ ONLY');
      try {
        await copySection(client, 'events', `"${partition.name}" t WHERE t.org_id = $1`, [], orgId, line);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        // Dropped by the retention job since it was listed: nothing left to export there.
        if ((error as { code?: string }).code !== '42P01') throw error;
      }
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Builds and stores the bundle of an export request (idempotent: a rebuilt bundle replaces the first). */
export async function runSubjectExport(
  pool: pg.Pool,
  requestId: string,
  options: { partBytes?: number } = {},
): Promise<{ bytes: number; parts: number } | null> {
  return withRequestLock(pool, requestId, (client) =>
    exportNow(pool, client, requestId, options.partBytes ?? PART_BYTES),
  );
}

async function exportNow(
  pool: pg.Pool,
  client: pg.PoolClient,
  requestId: string,
  partBytes: number,
): Promise<{ bytes: number; parts: number } | null> {
  const { rows } = await pool.query<GdprRequestRow>(
    `UPDATE gdpr_requests SET status = 'RUNNING', started_at = COALESCE(started_at, now())
     WHERE id = $1 AND kind = 'EXPORT' AND status IN ('PENDING', 'RUNNING')
     RETURNING id, org_id, app_id, scope, subject_type, subject_key`,
    [requestId],
  );
  const request = rows[0];
  if (!request) return null;
  let stored: { bytes: number; parts: number };
  if (request.scope === 'ORG') {
    stored = await storeBundle(pool, request, (line) => writeOrgExport(pool, client, request.org_id, line), partBytes);
  } else if (request.app_id !== null && request.subject_key !== null && request.subject_type !== null) {
    const bundle = await subjectBundle(pool, {
      ...request,
      app_id: request.app_id,
      subject_key: request.subject_key,
      subject_type: request.subject_type,
    });
    stored = await storeBundle(pool, request, (line) => line(asJson(bundle)), partBytes);
  } else {
    await pool.query(`UPDATE gdpr_requests SET status = 'FAILED', error = 'nothing to export' WHERE id = $1`, [
      requestId,
    ]);
    return null;
  }
  await pool.query(`UPDATE gdpr_requests SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [requestId]);
  return stored;
}

/**
 * The bundle behind a signed link: null (→ 404) for a changed or expired link, another
 * org's request, or a missing one; `pending` while the job is still building it.
 */
export async function openExport(
  prisma: PrismaClient,
  secret: string,
  link: { id: string; expires: unknown; sig: unknown },
  now = Date.now(),
): Promise<
  | { pending: true }
  | { pending: false; scope: 'SUBJECT' | 'APP' | 'ORG'; gzip: () => AsyncGenerator<Uint8Array> }
  | null
> {
  const expires = Number(link.expires);
  if (!isUuid(link.id) || !Number.isSafeInteger(expires) || expires <= now || typeof link.sig !== 'string') {
    return null;
  }
  const request = await prisma.gdprRequest.findFirst({ where: { id: link.id, kind: 'EXPORT' } });
  if (!request || request.resultExpiresAt?.getTime() !== expires) return null;
  const expected = Buffer.from(signature(secret, request.id, request.orgId, expires));
  const given = Buffer.from(link.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (request.status !== 'COMPLETED') return request.status === 'FAILED' ? null : { pending: true };
  const parts = await prisma.gdprExportFile.count({ where: { requestId: request.id, orgId: request.orgId } });
  if (parts === 0) return null;
  const { id, orgId } = request;
  return {
    pending: false,
    scope: request.scope,
    /** The gzip stream, part by part: one part in memory at a time. */
    async *gzip() {
      for (let part = 0; part < parts; part++) {
        const file = await prisma.gdprExportFile.findUnique({
          where: { requestId_part: { requestId: id, part } },
          select: { content: true, orgId: true },
        });
        // A part gone missing (deleted mid-download) must not pass for the end of the file.
        if (!file || file.orgId !== orgId) throw new Error(`export ${id}: part ${part} of ${parts} is missing`);
        yield file.content;
      }
    },
  };
}

import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../analytics/rollup.ts';
import { storeAndGroupCrashes } from '../crashes/group-crashes.ts';
import { hashDeviceId, registerDevice } from '../tenancy/devices.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { testCrashRecord } from '../testing/crash-record.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import {
  deleteAppDataAs,
  exportOrgAs,
  getPrivacyRequestAs,
  listPrivacyRequestsAs,
  requestSubjectAs,
} from './requests.ts';
import { runSubjectDeletion } from './subject-deletion.ts';
import { openExport, runSubjectExport } from './subject-export.ts';

// GDPR requests made by the organization: an end user named by the app's user id or by
// the device id the SDK sent, all of an app's data, the organization's export. Each
// checks what went and — counted before and after — that nothing of anyone else did.

const SECRET = 'privacy-requests-test-secret-0123456789abcdef';
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;

interface Tenant {
  orgId: string;
  appId: number;
  appName: string;
  salt: string;
  admin: OrgActor;
}

async function tenant(): Promise<Tenant> {
  const org = await createTestOrg(prisma);
  const app = await createTestApp(prisma, org.org.id);
  const { deviceIdSalt } = await prisma.app.findUniqueOrThrow({ where: { id: app.app.id } });
  return {
    orgId: org.org.id,
    appId: app.app.id,
    appName: app.app.name,
    salt: deviceIdSalt,
    admin: { orgId: org.org.id, role: 'ADMIN', userId: org.owner.id, audit: { type: 'USER', id: org.owner.id } },
  };
}

/** n events, a session and a crash of one device, all carrying `userId` (null: anonymous). */
async function activity(t: Tenant, device: string, userId: string | null, n: number): Promise<void> {
  const now = Date.now();
  const session = `${device.slice(0, 8)}-${userId ?? 'anon'}-${randomUUID().slice(0, 6)}`;
  const rows: EventRow[] = Array.from({ length: n }, (_, i) => ({
    orgId: t.orgId,
    appId: t.appId,
    id: randomUUID(),
    occurredAt: now - i * 60_000,
    receivedAt: now,
    type: 'screen_view',
    name: 'home',
    deviceId: device,
    sessionId: session,
    userId,
    appVersion: '1.0.0',
  }));
  await createEventWriter(pool).write(rows);
  await pool.query(
    `INSERT INTO sessions (org_id, app_id, id, device_id, user_id, started_at, duration_ms) VALUES ($1, $2, $3, $4, $5, now(), 1000)`,
    [t.orgId, t.appId, session, device, userId],
  );
  await crash(t, device, userId);
}

/** One crash of a device, grouped as the crash writer does. */
async function crash(t: Tenant, device: string, userId: string | null, at = Date.now() - 1000): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await storeAndGroupCrashes(client, [
      testCrashRecord(
        { orgId: t.orgId, appId: t.appId },
        {
          deviceId: device,
          userId,
          occurredAt: at,
          stackTrace: `TypeError: boom\n    at render (/app/view.js:1:${device.length})`,
        },
      ),
    ]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** Rows per raw table for a condition, to compare before and after. */
async function counts(t: Tenant, where: string, params: unknown[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['events', 'sessions', 'crash_reports']) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1 AND app_id = $2 AND ${where}`,
      [t.orgId, t.appId, ...params],
    );
    out[table] = rows[0]!.n;
  }
  return out;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('a subject named by the app user id', () => {
  it("deletes the user's rows and their own devices' records, and nothing of a device they shared", async () => {
    const t = await tenant();
    const own = hashDeviceId(t.salt, 'alice-phone');
    const shared = hashDeviceId(t.salt, 'family-tablet');
    const bobs = hashDeviceId(t.salt, 'bob-phone');
    await activity(t, own, null, 3); // before alice signed in: hers too
    await activity(t, own, 'alice', 10);
    await activity(t, shared, 'alice', 4);
    await activity(t, shared, 'bob', 6);
    await activity(t, shared, null, 2); // nobody can tell whose
    await activity(t, bobs, 'bob', 5);
    while ((await runAggregation(pool)).hours > 0);
    const bobBefore = await counts(t, `user_id = 'bob'`, []);
    const sharedAnonymousBefore = await counts(t, `device_id = $3 AND user_id IS NULL`, [shared]);
    const deviceDays = (device: string) =>
      prisma.deviceDay.count({ where: { orgId: t.orgId, appId: t.appId, deviceId: device } });
    expect(await deviceDays(own)).toBeGreaterThan(0);
    const sharedDays = await deviceDays(shared);

    // The export first: everything about alice, nothing about bob.
    const exported = await requestSubjectAs(
      prisma,
      t.admin,
      { appId: t.appId, kind: 'EXPORT', userId: 'alice' },
      SECRET,
    );
    await runSubjectExport(pool, exported.request.id);
    const link = new URL(
      (await getPrivacyRequestAs(prisma, t.admin, exported.request.id, SECRET)).downloadPath!,
      'http://x',
    );
    const opened = await openExport(prisma, SECRET, {
      id: exported.request.id,
      expires: link.searchParams.get('expires'),
      sig: link.searchParams.get('sig'),
    });
    if (!opened || opened.pending) throw new Error('export not ready');
    const chunks: Uint8Array[] = [];
    for await (const chunk of opened.gzip()) chunks.push(chunk);
    const bundle = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as {
      subject: { type: string; devices: string[] };
      events: Array<{ user_id: string | null; device_id: string }>;
    };
    expect(bundle.subject).toMatchObject({ type: 'user', devices: [own] });
    expect(bundle.events).toHaveLength(3 + 10 + 4);
    expect(bundle.events.filter((e) => e.user_id === 'bob')).toHaveLength(0);

    const asked = await requestSubjectAs(prisma, t.admin, { appId: t.appId, kind: 'DELETE', userId: 'alice' }, SECRET);
    // Asking again while it is open gives the same request.
    expect(
      (await requestSubjectAs(prisma, t.admin, { appId: t.appId, kind: 'DELETE', userId: 'alice' }, SECRET)).request.id,
    ).toBe(asked.request.id);
    const progress = await runSubjectDeletion(pool, asked.request.id);
    expect(progress?.devices).toEqual([own]);

    expect(await counts(t, `user_id = 'alice'`, [])).toEqual({ events: 0, sessions: 0, crash_reports: 0 });
    expect(await counts(t, `device_id = $3`, [own])).toEqual({ events: 0, sessions: 0, crash_reports: 0 });
    expect(await deviceDays(own)).toBe(0);
    expect(await counts(t, `user_id = 'bob'`, [])).toEqual(bobBefore);
    expect(await counts(t, `device_id = $3 AND user_id IS NULL`, [shared])).toEqual(sharedAnonymousBefore);
    expect(await deviceDays(shared)).toBe(sharedDays);
    // Alice's earlier export went with her data, and its link is no longer handed out.
    expect(await prisma.gdprExportFile.count({ where: { requestId: exported.request.id } })).toBe(0);
    expect((await getPrivacyRequestAs(prisma, t.admin, exported.request.id, SECRET)).downloadPath).toBeNull();
    const view = await getPrivacyRequestAs(prisma, t.admin, asked.request.id, SECRET);
    expect(view).toMatchObject({
      status: 'COMPLETED',
      subjectType: 'USER',
      subject: 'alice',
      progress: { done: 10, total: 10 },
    });
  });
});

describe('crash group samples', () => {
  it("take another device's anonymous report when the user's sample goes", async () => {
    const t = await tenant();
    await crash(t, 'anonymous-device', null, Date.now() - 60_000);
    await crash(t, 'alice-device', 'alice', Date.now() - 1_000);
    const { stack_trace: before } = (
      await pool.query<{ stack_trace: string }>(
        'SELECT sample_stack_trace AS stack_trace FROM crash_groups WHERE app_id = $1',
        [t.appId],
      )
    ).rows[0]!;
    const asked = await requestSubjectAs(prisma, t.admin, { appId: t.appId, kind: 'DELETE', userId: 'alice' }, SECRET);
    await runSubjectDeletion(pool, asked.request.id);
    const group = await prisma.crashGroup.findFirstOrThrow({ where: { appId: t.appId } });
    // Alice's report (column 12) was the sample before her deletion.
    expect(before).toContain('/app/view.js:1:12');
    // The anonymous device's report (its stack names line 1, column 16), not none.
    expect(group.sampleStackTrace).toContain('/app/view.js:1:16');
    expect(await prisma.crashReport.count({ where: { appId: t.appId } })).toBe(1);
  });
});

describe('a subject named by device id, on their behalf', () => {
  it('hashes the id as ingestion does, revokes the device at once, and deletes its data', async () => {
    const t = await tenant();
    const principal = {
      kind: 'ingest_key' as const,
      credentialId: 'k',
      orgId: t.orgId,
      appId: t.appId,
      scopes: ['ingest'],
      orgSuspended: false,
    };
    await registerDevice(prisma, principal, { app_id: t.appId, device_id: 'raw-device-7' }, SECRET);
    const hash = hashDeviceId(t.salt, 'raw-device-7');
    await activity(t, hash, null, 5);
    const answer = await requestSubjectAs(
      prisma,
      t.admin,
      { appId: t.appId, kind: 'DELETE', deviceId: 'raw-device-7' },
      SECRET,
    );
    expect(answer.request).toMatchObject({ subjectType: 'DEVICE', subject: hash, status: 'PENDING' });
    expect(answer.revokedTokenHashes).toHaveLength(1);
    expect(await prisma.deviceToken.count({ where: { appId: t.appId, revokedAt: null } })).toBe(0);
    await runSubjectDeletion(pool, answer.request.id);
    expect(await counts(t, 'device_id = $3', [hash])).toEqual({ events: 0, sessions: 0, crash_reports: 0 });
    expect(await prisma.device.count({ where: { appId: t.appId } })).toBe(0);

    // The stored hash (as the portal shows it) names the same subject.
    await registerDevice(prisma, principal, { app_id: t.appId, device_id: 'raw-device-8' }, SECRET);
    const stored = hashDeviceId(t.salt, 'raw-device-8');
    const byHash = await requestSubjectAs(
      prisma,
      t.admin,
      { appId: t.appId, kind: 'EXPORT', deviceId: stored },
      SECRET,
    );
    expect(byHash.request.subject).toBe(stored);
  });

  it('refuses bad input, roles below ADMIN, and other organizations', async () => {
    const t = await tenant();
    const other = await tenant();
    // Inputs as an untyped caller might send them: core checks them whatever the types say.
    const ask = (actor: OrgActor, input: unknown) => requestSubjectAs(prisma, actor, input as never, SECRET);
    await expect(ask(t.admin, { appId: t.appId, kind: 'DELETE', deviceId: 'd', userId: 'u' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('exactly one of deviceId') as string,
    });
    await expect(ask(t.admin, { appId: t.appId, kind: 'DELETE' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(ask(t.admin, { appId: t.appId, kind: 'DELETE', userId: 'a\u0000b' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('NUL') as string,
    });
    await expect(getPrivacyRequestAs(prisma, t.admin, '-'.repeat(36), SECRET)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(ask(t.admin, { appId: t.appId, kind: 'ERASE', userId: 'u' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      ask({ ...t.admin, role: 'MEMBER' }, { appId: t.appId, kind: 'DELETE', userId: 'u' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    // Another org's app, request or data: not found.
    await expect(ask(other.admin, { appId: t.appId, kind: 'DELETE', userId: 'u' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const mine = await ask(t.admin, { appId: t.appId, kind: 'EXPORT', userId: 'u' });
    await expect(getPrivacyRequestAs(prisma, other.admin, mine.request.id, SECRET)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      deleteAppDataAs(prisma, other.admin, { appId: t.appId, confirm: t.appName }, SECRET),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await listPrivacyRequestsAs(prisma, other.admin, {}, SECRET)).toEqual([]);
    await expect(listPrivacyRequestsAs(prisma, other.admin, { appId: t.appId }, SECRET)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await listPrivacyRequestsAs(prisma, t.admin, {}, SECRET)).map((r) => r.id)).toEqual([mine.request.id]);
  });
});

describe("deleting an app's data", () => {
  it('needs the app name, then removes all its telemetry and keeps the app, its devices and everyone else', async () => {
    const t = await tenant();
    const neighbour = { ...t, appId: (await createTestApp(prisma, t.orgId)).app.id };
    const stranger = await tenant();
    for (const x of [t, neighbour, stranger]) await activity(x, hashDeviceId(x.salt, 'd1'), 'u1', 8);
    await registerDevice(
      prisma,
      {
        kind: 'ingest_key',
        credentialId: 'k',
        orgId: t.orgId,
        appId: t.appId,
        scopes: ['ingest'],
        orgSuspended: false,
      },
      { app_id: t.appId, device_id: 'registered' },
      SECRET,
    );
    while ((await runAggregation(pool)).hours > 0);
    const everyone = async () => ({
      neighbour: await counts(neighbour, 'true', []),
      stranger: await counts(stranger, 'true', []),
      rollups: await prisma.rollupDaily.count({ where: { appId: { in: [neighbour.appId, stranger.appId] } } }),
    });
    const before = await everyone();

    await expect(deleteAppDataAs(prisma, t.admin, { appId: t.appId, confirm: 'yes' }, SECRET)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(t.appName) as string,
    });
    await expect(
      deleteAppDataAs(prisma, { ...t.admin, role: 'MEMBER' }, { appId: t.appId, confirm: t.appName }, SECRET),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await prisma.gdprRequest.count({ where: { orgId: t.orgId } })).toBe(0);

    const { request } = await deleteAppDataAs(prisma, t.admin, { appId: t.appId, confirm: t.appName }, SECRET);
    expect(request).toMatchObject({ scope: 'APP', kind: 'DELETE', appId: t.appId });
    const progress = await runSubjectDeletion(pool, request.id);
    expect(progress?.removed).toMatchObject({ events: 8, sessions: 1, crash_reports: 1, crash_groups: 1 });

    expect(await counts(t, 'true', [])).toEqual({ events: 0, sessions: 0, crash_reports: 0 });
    expect(await prisma.crashGroup.count({ where: { appId: t.appId } })).toBe(0);
    expect(await prisma.rollupDaily.count({ where: { appId: t.appId } })).toBe(0);
    expect(await prisma.deviceDay.count({ where: { appId: t.appId } })).toBe(0);
    // The app, and its registered devices with their consent, stay.
    expect(await prisma.app.count({ where: { id: t.appId, deletedAt: null } })).toBe(1);
    expect(await prisma.device.count({ where: { appId: t.appId } })).toBe(1);
    expect(await everyone()).toEqual(before);
    expect(await prisma.auditLog.count({ where: { orgId: t.orgId, action: 'gdpr.app_data_deleted' } })).toBe(1);
  });
});

describe("the organization's export", () => {
  it('streams every section as JSON lines in parts, without credentials or another org', async () => {
    const t = await tenant();
    const stranger = await tenant();
    await activity(t, hashDeviceId(t.salt, 'd1'), 'u1', 2000);
    await activity(stranger, hashDeviceId(stranger.salt, 'd1'), 'stranger-user', 5);
    await prisma.notificationChannel.create({
      data: {
        orgId: t.orgId,
        kind: 'WEBHOOK',
        name: 'ops hook',
        // A channel from before URLs were sealed keeps it in config; a newer one has it sealed too.
        config: { url: 'https://hooks.example.test/T0/secret-path' },
        urlCiphertext: Buffer.from('sealed-webhook-url'),
      },
    });
    const { request } = await exportOrgAs(prisma, t.admin, SECRET);
    // Small parts, to prove a bundle cut in pieces reads back whole. Two workers on one
    // request (a stalled job handed on while its first worker lives): one does it, the other waits its turn.
    const [first, second] = await Promise.allSettled([
      runSubjectExport(pool, request.id, { partBytes: 4096 }),
      runSubjectExport(pool, request.id, { partBytes: 4096 }),
    ]);
    const stored = first.status === 'fulfilled' ? first.value : second.status === 'fulfilled' ? second.value : null;
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect((first.status === 'rejected' ? first : second) as PromiseRejectedResult).toMatchObject({
      reason: { name: 'RequestBusyError' },
    });
    expect(stored?.parts).toBeGreaterThan(1);
    const view = await getPrivacyRequestAs(prisma, t.admin, request.id, SECRET);
    const link = new URL(view.downloadPath!, 'http://x');
    const opened = await openExport(prisma, SECRET, {
      id: request.id,
      expires: link.searchParams.get('expires'),
      sig: link.searchParams.get('sig'),
    });
    if (!opened || opened.pending) throw new Error('export not ready');
    const chunks: Uint8Array[] = [];
    for await (const chunk of opened.gzip()) chunks.push(chunk);
    const text = gunzipSync(Buffer.concat(chunks)).toString();
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { section?: string; row?: Record<string, unknown> });
    expect(lines[0]).toMatchObject({ format: 'sightline-org-export/1', orgId: t.orgId });
    const sections = new Map<string, number>();
    for (const l of lines.slice(1)) sections.set(l.section!, (sections.get(l.section!) ?? 0) + 1);
    expect(sections.get('events')).toBe(2000);
    expect(sections.get('members')).toBe(1);
    expect(sections.get('apps')).toBe(1);
    expect(sections.get('crash_groups')).toBe(1);
    expect(lines.slice(1).every((l) => l.row?.org_id === t.orgId || l.row?.id === t.orgId)).toBe(true);
    expect(text).not.toContain('stranger-user');
    expect(sections.get('notification_channels')).toBe(1);
    expect(text).not.toContain('secret-path');
    expect(text).not.toContain(t.salt);
    expect(text).not.toMatch(/"key_hash"|"device_id_salt"|"secret_ciphertext"|"url_ciphertext"|"password_hash"/);
    // Another organization's link for it does not open.
    expect(
      await openExport(prisma, SECRET, {
        id: request.id,
        expires: link.searchParams.get('expires'),
        sig: 'x'.repeat(43),
      }),
    ).toBeNull();
  });
});

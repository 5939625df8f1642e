import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter, markDirtyHours, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../analytics/rollup.ts';
import { storeAndGroupCrashes } from '../crashes/group-crashes.ts';
import type { Principal } from '../keys/resolver.ts';
import { hashDeviceId, registerDevice } from '../tenancy/devices.ts';
import { testCrashRecord } from '../testing/crash-record.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import { requestDeviceDeletion, runSubjectDeletion } from './subject-deletion.ts';

// A device's GDPR deletion: afterwards no table holds anything about it (checked by
// finding every device column in the schema), nothing of any other device was touched,
// and the job resumes where it stopped.

const SECRET = 'subject-deletion-test-secret-0123456789abcdef';
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let orgId: string;
let appId: number;
let salt: string;

const ingestPrincipal = (): Principal => ({
  kind: 'ingest_key',
  credentialId: 'k',
  orgId,
  appId,
  scopes: ['ingest'],
  orgSuspended: false,
});

const devicePrincipal = async (rawId: string): Promise<Principal> => {
  const { deviceId } = await registerDevice(prisma, ingestPrincipal(), { app_id: appId, device_id: rawId }, SECRET);
  return {
    kind: 'device_token',
    credentialId: 't',
    orgId,
    appId,
    deviceId,
    deviceIdHash: hashDeviceId(salt, rawId),
    scopes: ['ingest'],
    orgSuspended: false,
  };
};

async function seed(deviceHash: string, tag: string): Promise<void> {
  const now = Date.now();
  const rows: EventRow[] = Array.from({ length: 40 }, (_, i) => ({
    orgId,
    appId,
    id: randomUUID(),
    occurredAt: now - i * 60_000,
    receivedAt: now,
    type: i % 2 ? 'screen_view' : 'app_start',
    name: i % 2 ? 'home' : null,
    deviceId: deviceHash,
    sessionId: `${tag}-session`,
    appVersion: '1.0.0',
  }));
  await createEventWriter(pool).write(rows);
  await pool.query(
    `INSERT INTO sessions (org_id, app_id, id, device_id, started_at, duration_ms) VALUES ($1, $2, $3, $4, now(), 1000)`,
    [orgId, appId, `${tag}-session`, deviceHash],
  );
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const crash = testCrashRecord(
      { orgId, appId },
      {
        deviceId: deviceHash,
        occurredAt: now - (tag === 'subject' ? 1000 : 5000),
        stackTrace: `TypeError: boom\n    at loadUser (/home/${tag}/app/users.js:42:17)`,
      },
    );
    await storeAndGroupCrashes(client, [crash]);
    await markDirtyHours(client, [crash]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** Every (table, column) that can hold a device's id, found in the schema rather than listed by hand. */
async function deviceColumns(): Promise<Array<{ table: string; column: string }>> {
  const { rows } = await pool.query<{ table: string; column: string }>(
    `SELECT table_name AS table, column_name AS column FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name IN ('device_id', 'device_id_hash', 'subject_key')
       AND table_name NOT LIKE 'events_p%' AND data_type = 'text'`,
  );
  return rows;
}

const holding = async (key: string) => {
  const found: Record<string, number> = {};
  for (const { table, column } of await deviceColumns()) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`,
      [key],
    );
    if (rows[0]!.n > 0) found[`${table}.${column}`] = rows[0]!.n;
  }
  return found;
};

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  const org = await createTestOrg(prisma);
  orgId = org.org.id;
  const app = await createTestApp(prisma, orgId);
  appId = app.app.id;
  salt = (await prisma.app.findUniqueOrThrow({ where: { id: appId } })).deviceIdSalt;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('GDPR deletion of a device', () => {
  it('leaves nothing about the subject in any table and everything of other devices', async () => {
    const subject = await devicePrincipal('subject-raw-id');
    const other = await devicePrincipal('other-raw-id');
    await seed(other.deviceIdHash!, 'other');
    await seed(subject.deviceIdHash!, 'subject');
    while ((await runAggregation(pool)).hours > 0);
    const group = await prisma.crashGroup.findFirstOrThrow({ where: { appId } });
    expect(group.sampleStackTrace).toContain('/home/subject/'); // the sample is the subject's crash
    expect(Object.keys(await holding(subject.deviceIdHash!)).length).toBeGreaterThanOrEqual(6);
    const othersBefore = await holding(other.deviceIdHash!);
    const activeBefore = await prisma.rollupDaily.findMany({ where: { appId, metric: 'active' } });

    const request = await requestDeviceDeletion(prisma, subject);
    // Asking again while it is scheduled gives the same request.
    expect((await requestDeviceDeletion(prisma, subject)).id).toBe(request.id);
    expect(request.revokedTokenHashes).toHaveLength(1);
    const progress = await runSubjectDeletion(pool, request.id);
    expect(progress?.removed).toMatchObject({ events: 40, sessions: 1, crash_reports: 1, device: 1, device_tokens: 1 });

    // Only the request itself keeps the hashed id, so its status can be shown to the requester.
    expect(await holding(subject.deviceIdHash!)).toEqual({ 'gdpr_requests.subject_key': 1 });
    expect(await prisma.deviceToken.count({ where: { deviceId: subject.deviceId! } })).toBe(0);
    expect(await holding(other.deviceIdHash!)).toEqual(othersBefore);
    const after = await prisma.crashGroup.findUniqueOrThrow({ where: { id: group.id } });
    expect(after.sampleStackTrace).toContain('/home/other/');
    // Aggregates without identifiers stay as they were.
    expect(await prisma.rollupDaily.findMany({ where: { appId, metric: 'active' } })).toEqual(activeBefore);

    const done = await prisma.gdprRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(done).toMatchObject({ status: 'COMPLETED' });
    expect(
      await prisma.auditLog.count({
        where: { orgId, action: { in: ['gdpr.delete_requested', 'gdpr.delete_completed'] } },
      }),
    ).toBe(2);
    // A finished request is not run again.
    expect(await runSubjectDeletion(pool, request.id)).toBeNull();
  });

  it('resumes after a stop midway, repeating nothing and finishing the rest', async () => {
    const subject = await devicePrincipal('resumed-raw-id');
    await seed(subject.deviceIdHash!, 'resumed');
    const request = await requestDeviceDeletion(prisma, subject);
    // As a worker killed after two steps would leave it.
    await pool.query(`UPDATE gdpr_requests SET status = 'RUNNING', progress = $2 WHERE id = $1`, [
      request.id,
      JSON.stringify({ done: ['device_tokens', 'events'], removed: { device_tokens: 1, events: 0 } }),
    ]);
    const progress = await runSubjectDeletion(pool, request.id);
    expect(progress?.done).toHaveLength(10);
    // Events were marked done before the stop, so this run left them; a real stop after
    // the step finished would have removed them. Everything after was done now.
    expect(progress?.removed).toMatchObject({ sessions: 1, crash_reports: 1, device: 1 });
    expect(Object.keys(await holding(subject.deviceIdHash!)).sort()).toEqual([
      'events.device_id',
      'gdpr_requests.subject_key',
    ]);
  });

  it('waits out a rollup that read the subject before the deletion, so its device-days do not survive', async () => {
    const subject = await devicePrincipal('raced-raw-id');
    await seed(subject.deviceIdHash!, 'raced');
    const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    // An aggregation of today, in flight: it read the subject's events and is writing their device-day.
    const aggregator = await pool.connect();
    await aggregator.query('BEGIN');
    await aggregator.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [
      `rollup:${orgId}:${appId}:${day.getTime()}`,
    ]);
    await aggregator.query(
      `INSERT INTO device_days (org_id, app_id, day, device_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [orgId, appId, day, subject.deviceIdHash],
    );
    const request = await requestDeviceDeletion(prisma, subject);
    let finished = false;
    const deletion = runSubjectDeletion(pool, request.id).finally(() => (finished = true));
    try {
      // The deletion is queued on the aggregation's lock (not merely slow to get there)...
      await expect
        .poll(async () => {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`,
          );
          return rows[0]!.n;
        })
        .toBe(1);
      expect(finished).toBe(false); // ...and held there, at the device-days step
    } finally {
      await aggregator.query('COMMIT');
      aggregator.release();
    }
    await deletion;
    expect(Object.keys(await holding(subject.deviceIdHash!))).toEqual(['gdpr_requests.subject_key']);
  });

  it('accepts only the device token of the device', async () => {
    await expect(requestDeviceDeletion(prisma, ingestPrincipal())).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

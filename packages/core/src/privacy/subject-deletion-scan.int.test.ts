import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAggregation } from '../analytics/rollup.ts';
import { storeAndGroupCrashes } from '../crashes/group-crashes.ts';
import { createDeadLetterStore, type DeadLetterStore } from '../ingest/dead-letters.ts';
import { hashDeviceId, registerDevice } from '../tenancy/devices.ts';
import type { OrgActor } from '../tenancy/members.ts';
import { testCrashRecord } from '../testing/crash-record.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import { deleteAppDataAs, requestSubjectAs } from './requests.ts';
import { runSubjectDeletion } from './subject-deletion.ts';

// A subject's GDPR deletion, proven by a scan of the whole schema rather than of tables
// picked by hand: every text column is compared with the subject's identifiers and every
// json column searched for them as JSON strings, so a table added later is covered without
// touching this test. The writers' dead letters (Redis) are searched too.

const SECRET = 'subject-deletion-scan-secret-0123456789abcdef';
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let redis: Redis;
let letters: DeadLetterStore;

interface Tenant {
  orgId: string;
  appId: number;
  salt: string;
  name: string;
  admin: OrgActor;
}

async function tenant(): Promise<Tenant> {
  const org = await createTestOrg(prisma);
  const app = await createTestApp(prisma, org.org.id);
  const { deviceIdSalt, name } = await prisma.app.findUniqueOrThrow({ where: { id: app.app.id } });
  return {
    orgId: org.org.id,
    appId: app.app.id,
    salt: deviceIdSalt,
    name,
    admin: { orgId: org.org.id, role: 'ADMIN', userId: org.owner.id, audit: { type: 'USER', id: org.owner.id } },
  };
}

/** A registered device (its record and token), events, a session and a crash, all carrying `userId`. */
async function activity(t: Tenant, rawDevice: string, userId: string | null): Promise<string> {
  await registerDevice(
    prisma,
    { kind: 'ingest_key', credentialId: 'k', orgId: t.orgId, appId: t.appId, scopes: ['ingest'], orgSuspended: false },
    { app_id: t.appId, device_id: rawDevice },
    SECRET,
  );
  const device = hashDeviceId(t.salt, rawDevice);
  const session = `s-${randomUUID()}`;
  const now = Date.now();
  const rows: EventRow[] = Array.from({ length: 5 }, (_, i) => ({
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
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await storeAndGroupCrashes(client, [
      testCrashRecord({ orgId: t.orgId, appId: t.appId }, { deviceId: device, userId, occurredAt: now - 1000 }),
    ]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  return device;
}

/** A buffered events batch the writers refused, as they dead-letter it (event order: pipeline.ts). */
async function deadLetter(t: Tenant, device: string, userId: string | null): Promise<string> {
  const id = `events/${randomUUID()}`;
  const event = [
    randomUUID(),
    Date.now(),
    'screen_view',
    'home',
    device,
    's',
    userId,
    ...Array<null>(8).fill(null),
    '{}',
  ];
  await letters.push(
    { id, stream: 'events', kind: 'refused', reason: 'value too long', entry: id },
    JSON.stringify({ o: t.orgId, a: t.appId, r: Date.now(), e: [event] }),
  );
  return id;
}

/**
 * Every place in the schema holding one of the identifiers: `table.column` → rows. Text
 * columns by equality, text arrays by overlap, json by a match of the JSON string.
 * Partitions are left out: their parent's scan covers their rows.
 */
async function holding(identifiers: string[]): Promise<Record<string, number>> {
  const { rows: columns } = await pool.query<{ table: string; column: string; type: string }>(
    `SELECT c.table_name AS table, c.column_name AS column, c.udt_name AS type
       FROM information_schema.columns c
       JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = to_regnamespace(c.table_schema)
      WHERE c.table_schema = current_schema() AND k.relkind IN ('r', 'p') AND NOT k.relispartition
        AND c.udt_name IN ('text', 'varchar', 'bpchar', '_text', '_varchar', 'json', 'jsonb')`,
  );
  expect(columns.length).toBeGreaterThan(50); // the scan sees the schema, not an empty search path
  const quoted = identifiers.map((id) => `%${JSON.stringify(id).replace(/[\\%_]/g, '\\$&')}%`);
  const found: Record<string, number> = {};
  for (const { table, column, type } of columns) {
    const json = type === 'json' || type === 'jsonb';
    const where = json
      ? `"${column}"::text LIKE ANY($1::text[])`
      : type.startsWith('_')
        ? `"${column}"::text[] && $1::text[]`
        : `"${column}"::text = ANY($1::text[])`;
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE ${where}`, [
      json ? quoted : identifiers,
    ]);
    if (rows[0]!.n > 0) found[`${table}.${column}`] = rows[0]!.n;
  }
  return found;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  letters = createDeadLetterStore(redis, `test-gdpr-scan-${randomUUID()}`);
});

afterAll(async () => {
  if (letters) await redis.del(letters.key, `${letters.key}:payloads`, `${letters.key}:bytes`);
  redis?.disconnect();
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

const letterIds = async () => (await letters.list(0)).map((l) => l.id).sort();

describe('GDPR deletion checked against the whole schema', () => {
  it('leaves no trace of a user id or their device in any column or dead letter, and all of the others', async () => {
    const t = await tenant();
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    // First another organization's app with a user of the same id: not the subject.
    const stranger = await tenant();
    const strangers = await activity(stranger, `stranger-${randomUUID()}`, alice);
    const strangerRows = await holding([alice]);
    const own = await activity(t, `alice-phone-${randomUUID()}`, alice);
    const bobs = await activity(t, `bob-phone-${randomUUID()}`, bob);
    while ((await runAggregation(pool)).hours > 0);
    const aliceLetters = [await deadLetter(t, own, alice), await deadLetter(t, own, null)];
    const kept = [await deadLetter(t, bobs, bob), await deadLetter(stranger, strangers, alice)].sort();
    expect(Object.keys(await holding([own]))).toEqual(
      expect.arrayContaining([
        'events.device_id',
        'sessions.device_id',
        'device_days.device_id',
        'devices.device_id_hash',
      ]),
    );
    const bobBefore = await holding([bob, bobs]);
    const strangerBefore = await holding([strangers]);

    const asked = await requestSubjectAs(prisma, t.admin, { appId: t.appId, kind: 'DELETE', userId: alice }, SECRET);
    const progress = await runSubjectDeletion(pool, asked.request.id, { deadLetters: letters });
    expect(progress?.devices).toEqual([own]);
    expect(progress?.removed.dead_letters).toBe(aliceLetters.length);

    // Only the request keeps the user id, so its status can be shown.
    expect(await holding([alice, own])).toEqual({ ...strangerRows, 'gdpr_requests.subject_key': 1 });
    expect(await holding([strangers])).toEqual(strangerBefore);
    expect(await holding([bob, bobs])).toEqual(bobBefore);
    expect(await letterIds()).toEqual(kept);
    for (const id of aliceLetters) expect(await letters.payload(id)).toBeNull();
  });

  it("purges a deleted device's dead letters, unreadable ones included, and nobody else's", async () => {
    const t = await tenant();
    const raw = `device-${randomUUID()}`;
    const device = await activity(t, raw, null);
    const other = await activity(t, `other-${randomUUID()}`, null);
    const mine = [await deadLetter(t, device, null)];
    const unreadable = `events/${randomUUID()}`;
    await letters.push(
      { id: unreadable, stream: 'events', kind: 'unreadable', reason: 'not a batch', entry: unreadable },
      `garbage ${JSON.stringify(device)} garbage`,
    );
    mine.push(unreadable);
    const before = await letterIds();
    const othersLetter = await deadLetter(t, other, null);

    const asked = await requestSubjectAs(prisma, t.admin, { appId: t.appId, kind: 'DELETE', deviceId: raw }, SECRET);
    const progress = await runSubjectDeletion(pool, asked.request.id, { deadLetters: letters });
    expect(progress?.removed.dead_letters).toBe(2);
    expect(await letterIds()).toEqual([...before.filter((id) => !mine.includes(id)), othersLetter].sort());
    expect(await holding([device])).toEqual({ 'gdpr_requests.subject_key': 1 });
  });

  it("an app's data deletion purges all of the app's dead letters and no other app's", async () => {
    const t = await tenant();
    const neighbour = await tenant();
    const before = await letterIds();
    await deadLetter(t, hashDeviceId(t.salt, 'a'), null);
    await deadLetter(t, hashDeviceId(t.salt, 'b'), `user-${randomUUID()}`);
    const kept = await deadLetter(neighbour, hashDeviceId(neighbour.salt, 'a'), null);

    const asked = await deleteAppDataAs(prisma, t.admin, { appId: t.appId, confirm: t.name }, SECRET);
    const progress = await runSubjectDeletion(pool, asked.request.id, { deadLetters: letters });
    expect(progress?.removed.dead_letters).toBe(2);
    expect(await letterIds()).toEqual([...before, kept].sort());
  });
});

import { createPool } from '@sightline/db';
import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashRecord } from '../ingest/crash.ts';
import { createTestApp, createTestOrg, testCrashRecord } from '../testing/index.ts';
import { storeAndGroupCrashes, type GroupOutcome } from './group-crashes.ts';

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await pool.end();
  await prisma.$disconnect();
  await db.drop();
});

const stack = (fn: string, line: number) =>
  `TypeError: Cannot read properties of undefined (reading 'id')\n    at ${fn} (/srv/app/dist/users.js:${line}:17)\n    at async UserController.show (/srv/app/dist/controllers/user.js:18:5)`;

const report = (app: { orgId: string; appId: number }, extra: Partial<CrashRecord> = {}): CrashRecord =>
  testCrashRecord(app, { stackTrace: stack('loadUser', 42), ...extra });

async function group(reports: CrashRecord[]): Promise<GroupOutcome[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const outcomes = await storeAndGroupCrashes(client, reports);
    await client.query('COMMIT');
    return outcomes;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function newApp() {
  const org = await createTestOrg(prisma);
  const app = await createTestApp(prisma, org.org.id);
  return { orgId: org.org.id, appId: app.app.id };
}

const groupRow = (id: string) => prisma.crashGroup.findUniqueOrThrow({ where: { id } });

describe('storeAndGroupCrashes', () => {
  it('folds one bug across versions, line shifts and devices into one group, once per report', async () => {
    const app = await newApp();
    const batch = [
      report(app, { appVersion: '2.4.0', deviceId: 'a', occurredAt: Date.now() - 5000 }),
      report(app, { appVersion: '2.5.0', deviceId: 'b', stackTrace: stack('loadUser', 57) }),
      report(app, { appVersion: '2.5.0', deviceId: 'a' }),
    ];
    const [outcome] = await group(batch);
    expect(outcome).toMatchObject({ created: true, occurrences: 3, regressed: false });
    const g = await groupRow(outcome!.groupId);
    expect(g).toMatchObject({
      status: 'open',
      occurrenceCount: 3n,
      affectedDeviceCount: 2,
      affectedVersions: ['2.4.0', '2.5.0'],
      firstVersion: '2.4.0',
      lastVersion: '2.5.0',
      culprit: 'loadUser (users.js)',
      fingerprintVersion: 1,
    });
    const linked = await prisma.crashReport.count({ where: { groupId: g.id } });
    expect(linked).toBe(3);

    // The same batch again (a worker died before acknowledging it): nothing changes.
    expect(await group(batch)).toEqual([]);
    expect((await groupRow(g.id)).occurrenceCount).toBe(3n);

    const other = await group([report(app, { stackTrace: stack('loadOrder', 10) })]);
    expect(other[0]!.groupId).not.toBe(g.id);
  });

  it('counts a report that arrives twice in one batch once (a resend racing the original)', async () => {
    const app = await newApp();
    const once = report(app, { deviceId: 'twice' });
    const [outcome] = await group([once, { ...once }, report(app, { deviceId: 'other' })]);
    expect(outcome).toMatchObject({ occurrences: 2 });
    expect((await groupRow(outcome!.groupId)).occurrenceCount).toBe(2n);
  });

  it('keeps two organizations apart even for the same bug', async () => {
    const [a, b] = [await newApp(), await newApp()];
    const [ga] = await group([report(a)]);
    const [gb] = await group([report(b)]);
    expect(ga!.fingerprint).toBe(gb!.fingerprint);
    expect(ga!.groupId).not.toBe(gb!.groupId);
    expect(gb!.created).toBe(true);
  });

  it('makes one group, created once, when two writers see the same new bug at the same time', async () => {
    const app = await newApp();
    const batches = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: 25 }, (_, j) =>
        report(app, { deviceId: `d${i}-${j % 5}`, stackTrace: stack('racyBug', 7 + j) }),
      ),
    );
    const outcomes = (await Promise.all(batches.map(group))).flat();
    expect(new Set(outcomes.map((o) => o.groupId)).size).toBe(1);
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const g = await groupRow(outcomes[0]!.groupId);
    expect(g.occurrenceCount).toBe(100n);
    expect(g.affectedDeviceCount).toBe(20);
  });

  it('reopens a resolved group as regressed only for its resolution version or later', async () => {
    const app = await newApp();
    const [first] = await group([report(app, { appVersion: 'shop@2.4.0' })]);
    await prisma.crashGroup.update({
      where: { id: first!.groupId },
      data: { status: 'resolved', resolvedAt: new Date(), resolvedInVersion: 'shop@2.5.0' },
    });
    const [older] = await group([report(app, { appVersion: 'shop@2.4.9' })]);
    expect(older!.regressed).toBe(false);
    expect((await groupRow(first!.groupId)).status).toBe('resolved');
    const [newer] = await group([report(app, { appVersion: 'shop@2.10.0' })]);
    expect(newer!.regressed).toBe(true);
    const g = await groupRow(first!.groupId);
    expect(g.status).toBe('regressed');
    expect(g.regressedAt).toBeInstanceOf(Date);
  });

  it('falls back to first-seen order for versions that are not semver', async () => {
    const app = await newApp();
    const [first] = await group([
      report(app, { appVersion: 'build-alpha' }),
      report(app, { appVersion: 'build-beta' }),
    ]);
    await prisma.crashGroup.update({
      where: { id: first!.groupId },
      data: { status: 'resolved', resolvedInVersion: 'build-beta' },
    });
    expect((await group([report(app, { appVersion: 'build-alpha' })]))[0]!.regressed).toBe(false);
    expect((await group([report(app, { appVersion: 'build-gamma' })]))[0]!.regressed).toBe(true);
  });

  it('keeps an ignored group quiet until it passes the count it was ignored until', async () => {
    const app = await newApp();
    const [first] = await group([report(app)]);
    await prisma.crashGroup.update({
      where: { id: first!.groupId },
      data: { status: 'ignored', ignoredUntilCount: 3n },
    });
    expect((await group([report(app)]))[0]!.unignored).toBe(false);
    expect((await groupRow(first!.groupId)).status).toBe('ignored');
    expect((await group([report(app)]))[0]!.unignored).toBe(true);
    expect(await groupRow(first!.groupId)).toMatchObject({ status: 'open', ignoredUntilCount: null });

    await prisma.crashGroup.update({
      where: { id: first!.groupId },
      data: { status: 'ignored', ignoredUntilCount: null },
    });
    expect((await group([report(app)]))[0]!.unignored).toBe(false);
    expect((await groupRow(first!.groupId)).status).toBe('ignored');
  });

  it('groups by the SDK fingerprint when one is sent', async () => {
    const app = await newApp();
    const outcomes = await group([
      report(app, { sdkFingerprint: ['checkout-timeout'], stackTrace: stack('a', 1) }),
      report(app, { sdkFingerprint: ['checkout-timeout'], stackTrace: stack('b', 2) }),
    ]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.occurrences).toBe(2);
  });
});

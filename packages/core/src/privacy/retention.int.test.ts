import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter, listEventPartitions, markDirtyHours, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAndGroupCrashes } from '../crashes/group-crashes.ts';
import { testCrashRecord } from '../testing/crash-record.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import { runAggregation } from '../analytics/rollup.ts';
import { runRetention } from './retention.ts';

// Retention against real partitions and rows: expired data goes (whole days of raw events
// dropped, the rest in batches), rollups are made before raw rows go, nothing inside any
// window is lost — run twice, twice at once, or while ingestion writes.

const DAY = 86_400_000;
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let orgId: string;
let shortApp: number; // raw events 7 days (the default)
let longApp: number; // raw events 30 days
const now = Date.now();
const today = Math.floor(now / DAY) * DAY;

const events = (appId: number, dayOffset: number, n: number): EventRow[] =>
  Array.from({ length: n }, (_, i) => ({
    orgId,
    appId,
    id: randomUUID(),
    occurredAt: today - dayOffset * DAY + 3_600_000 + i,
    receivedAt: now,
    type: 'app_start',
    deviceId: `d${i % 7}`,
  }));

const count = async (sql: string, params: unknown[]) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
const rawCount = (appId: number, fromDays: number, toDays: number) =>
  count('SELECT count(*) AS n FROM events WHERE app_id = $1 AND occurred_at >= $2 AND occurred_at < $3', [
    appId,
    new Date(today - fromDays * DAY),
    new Date(today - toDays * DAY),
  ]);

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 6 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  const org = await createTestOrg(prisma);
  orgId = org.org.id;
  shortApp = (await createTestApp(prisma, orgId, { name: 'Short' })).app.id;
  longApp = (await createTestApp(prisma, orgId, { name: 'Long' })).app.id;
  await prisma.app.update({ where: { id: longApp }, data: { rawEventRetentionDays: 30 } });

  const writer = createEventWriter(pool);
  for (const appId of [shortApp, longApp]) {
    for (const offset of [40, 20, 3, 0]) await writer.write(events(appId, offset, 50));
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const crashes = [120, 10].map((d) =>
      testCrashRecord({ orgId, appId: shortApp }, { occurredAt: today - d * DAY + 3_600_000, deviceId: 'd1' }),
    );
    await storeAndGroupCrashes(client, crashes);
    await markDirtyHours(client, crashes);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await pool.query(
    `INSERT INTO rollups_daily (org_id, app_id, day, metric, dimension, count) VALUES ($1, $2, $3::date, 'active', '', 9)`,
    [orgId, shortApp, new Date(today - 800 * DAY).toISOString().slice(0, 10)],
  );
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('retention', () => {
  it('expires what each app no longer keeps, after rolling it up, and records it', async () => {
    const removed = await runRetention(pool, { now });
    expect(removed).not.toBeNull();

    // The 40-day-old partition is gone for everyone (no app keeps raw events that long)…
    const partitions = (await listEventPartitions(pool)).map((p) => p.from.getTime());
    expect(partitions).not.toContain(today - 40 * DAY);
    // …but its figures were rolled up first.
    const rolled = await prisma.rollupDaily.findFirst({
      where: { appId: shortApp, day: new Date(today - 40 * DAY), metric: 'active', dimension: '' },
    });
    expect(Number(rolled?.count)).toBe(50);
    // The 7-day app lost its 20-day-old rows; the 30-day app kept them; recent rows stay.
    expect(await rawCount(shortApp, 21, 19)).toBe(0);
    expect(await rawCount(longApp, 21, 19)).toBe(50);
    expect(await rawCount(shortApp, 4, -1)).toBe(100);
    expect(await rawCount(longApp, 4, -1)).toBe(100);
    // Crash reports past 90 days and daily rollups past 2 years are gone; newer ones stay.
    expect(await count('SELECT count(*) AS n FROM crash_reports WHERE app_id = $1', [shortApp])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM rollups_daily WHERE app_id = $1 AND day < now() - interval '700 days'`, [
        shortApp,
      ]),
    ).toBe(0);
    // Crash groups are kept for ever.
    expect(await count('SELECT count(*) AS n FROM crash_groups WHERE app_id = $1', [shortApp])).toBe(1);

    const runs = await prisma.retentionRun.findMany({ orderBy: { target: 'asc' } });
    const byTarget = (target: string, appId: number | null) =>
      runs.find((r) => r.target === target && r.appId === appId);
    expect(Number(byTarget('events', null)?.removed)).toBe(100);
    expect(Number(byTarget('events', shortApp)?.removed)).toBe(50);
    expect(Number(byTarget('crash_reports', shortApp)?.removed)).toBe(1);
    expect(Number(byTarget('rollups_daily', shortApp)?.removed)).toBe(1);
  });

  it("removes a deleted app's data, and only its", async () => {
    const doomed = (await createTestApp(prisma, orgId, { name: 'Doomed' })).app.id;
    await createEventWriter(pool).write(events(doomed, 1, 30));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const crash = testCrashRecord({ orgId, appId: doomed }, { deviceId: 'd1' });
      await storeAndGroupCrashes(client, [crash]);
      await markDirtyHours(client, [crash]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    while ((await runAggregation(pool)).hours > 0); // rolled up like any app's
    const others = async () => [await rawCount(shortApp, 7, -1), await rawCount(longApp, 30, -1)];
    const before = await others();
    await prisma.app.update({ where: { id: doomed }, data: { deletedAt: new Date() } });

    const removed = (await runRetention(pool, { now }))!;
    const tables = [
      'events',
      'sessions',
      'crash_reports',
      'crash_groups',
      'crash_group_devices',
      'rollups_hourly',
      'rollups_daily',
      'device_days',
    ];
    for (const table of tables) {
      const where =
        table === 'crash_group_devices'
          ? 'org_id = $1 AND group_id NOT IN (SELECT id FROM crash_groups WHERE app_id <> $2)'
          : 'app_id = $2 AND org_id = $1';
      expect(await count(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, [orgId, doomed]), table).toBe(0);
    }
    expect(removed.filter((r) => r.appId === doomed).map((r) => r.target)).toEqual(
      expect.arrayContaining(['events', 'crash_reports', 'crash_groups', 'rollups_daily', 'device_days']),
    );
    expect(await others()).toEqual(before);
  });

  it('removes nothing more when run again, and loses nothing while ingestion writes', async () => {
    const inWindow = async () => [await rawCount(shortApp, 7, -1), await rawCount(longApp, 30, -1)];
    const before = await inWindow();
    const writer = createEventWriter(pool);
    const [first, second] = await Promise.all([
      runRetention(pool, { now }),
      runRetention(pool, { now }),
      (async () => {
        for (let i = 0; i < 10; i++) await writer.write(events(shortApp, 0, 20));
      })(),
    ]);
    // Two passes at once: one works, the other sees the lock and does nothing.
    expect([first, second].filter((r) => r === null)).toHaveLength(1);
    expect([first, second].find((r) => r !== null)).toEqual([]);
    expect(await inWindow()).toEqual([before[0]! + 200, before[1]!]);
    expect(await runRetention(pool, { now })).toEqual([]);
  });
});

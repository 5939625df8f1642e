import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAndGroupCrashes } from '../crashes/group-crashes.ts';
import { testCrashRecord } from '../testing/crash-record.ts';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import { runRetention } from './retention.ts';

// Every retention window pinned at its edges: for each, rows N−1 days old and just inside
// are kept, rows just outside and N+1 days old are gone, so a window cut or stretched by
// one day fails here. Raw events live in day partitions dropped whole: for the app with the
// longest window only whole days are checked (N−1 days and just inside kept, N+1 gone).
//
// The windows are written out (not imported) so a changed constant fails here.
// One `now` for the whole file, at noon of yesterday (UTC): never near midnight, always past.

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = Math.floor(Date.now() / DAY) * DAY - DAY / 2;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let orgId: string;
let week: number; // raw events 7 days, crash reports 90, aggregates 730 (the free plan's ceiling)
let month: number; // raw events 30 days (the longest: its days go by partition), crash reports 180, aggregates 60

/** Ages (ms before `now`) on both sides of an N-day window that cuts at an instant. */
const instantEdges = (days: number) => ({
  kept: [(days - 1) * DAY, days * DAY - MIN],
  gone: [days * DAY + MIN, (days + 1) * DAY],
});

const count = async (sql: string, params: unknown[]) =>
  Number((await pool.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);
const present = (table: string, column: string, appId: number, age: number) =>
  count(`SELECT count(*) AS n FROM ${table} WHERE app_id = $1 AND ${column} = $2`, [appId, new Date(now - age)]);
const presentDay = (table: string, appId: number, day: string) =>
  count(`SELECT count(*) AS n FROM ${table} WHERE app_id = $1 AND day = $2::date`, [appId, day]);

/** What survives, age by age: each age maps to its row count after the pass. */
async function survivors(probe: (age: number) => Promise<number>, ages: number[]) {
  const out: Record<string, number> = {};
  for (const age of ages) out[`${age / DAY}d`] = await probe(age);
  return out;
}
const expectKeptAndGone = async (probe: (age: number) => Promise<number>, edges: { kept: number[]; gone: number[] }) =>
  expect(await survivors(probe, [...edges.kept, ...edges.gone])).toEqual({
    ...Object.fromEntries(edges.kept.map((a) => [`${a / DAY}d`, 1])),
    ...Object.fromEntries(edges.gone.map((a) => [`${a / DAY}d`, 0])),
  });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  orgId = (await createTestOrg(prisma)).org.id;
  week = (await createTestApp(prisma, orgId, { name: 'Week' })).app.id;
  month = (await createTestApp(prisma, orgId, { name: 'Month' })).app.id;
  await prisma.app.update({
    where: { id: week },
    data: { rawEventRetentionDays: 7, crashReportRetentionDays: 90, aggregateRetentionDays: 730 },
  });
  await prisma.app.update({
    where: { id: month },
    data: { rawEventRetentionDays: 30, crashReportRetentionDays: 180, aggregateRetentionDays: 60 },
  });

  const windows = [
    { appId: week, raw: 7, crash: 90, hourly: 90, aggregate: 730 },
    { appId: month, raw: 30, crash: 180, hourly: 60, aggregate: 60 },
  ];
  const writer = createEventWriter(pool);
  for (const w of windows) {
    const raw = instantEdges(w.raw);
    const ages = [...raw.kept, ...raw.gone];
    await writer.write(
      ages.map((age) => ({
        orgId,
        appId: w.appId,
        id: randomUUID(),
        occurredAt: now - age,
        receivedAt: now,
        type: 'app_start',
        deviceId: 'd1',
      })),
    );
    for (const age of ages) {
      await pool.query('INSERT INTO sessions (org_id, app_id, id, device_id, started_at) VALUES ($1, $2, $3, $4, $5)', [
        orgId,
        w.appId,
        randomUUID(),
        'd1',
        new Date(now - age),
      ]);
    }
    const crash = instantEdges(w.crash);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await storeAndGroupCrashes(
        client,
        [...crash.kept, ...crash.gone].map((age) =>
          testCrashRecord({ orgId, appId: w.appId }, { occurredAt: now - age, receivedAt: now, deviceId: 'd1' }),
        ),
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    // Hourly buckets: `now` is on the hour, so N days back is a bucket of its own.
    for (const age of [(w.hourly - 1) * DAY, w.hourly * DAY, w.hourly * DAY + HOUR, (w.hourly + 1) * DAY]) {
      await pool.query(
        `INSERT INTO rollups_hourly (org_id, app_id, bucket, metric, dimension, count) VALUES ($1, $2, $3, 'edge', '', 1)`,
        [orgId, w.appId, new Date(now - age)],
      );
    }
    for (const days of [w.aggregate - 1, w.aggregate, w.aggregate + 1]) {
      const day = dayOf(now - days * DAY);
      await pool.query(
        `INSERT INTO rollups_daily (org_id, app_id, day, metric, dimension, count) VALUES ($1, $2, $3::date, 'edge', '', 1)`,
        [orgId, w.appId, day],
      );
      await pool.query('INSERT INTO device_days (org_id, app_id, day, device_id) VALUES ($1, $2, $3::date, $4)', [
        orgId,
        w.appId,
        day,
        'edge-device',
      ]);
    }
  }

  // Export bundles expire at their own instant; the alert delivery log after 90 days.
  for (const expiresIn of [-DAY, -MIN, MIN, DAY]) {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO gdpr_requests (org_id, kind, requested_by_type, status, result_expires_at)
       VALUES ($1, 'EXPORT', 'USER', 'COMPLETED', $2) RETURNING id`,
      [orgId, new Date(now + expiresIn)],
    );
    await pool.query(`INSERT INTO gdpr_export_files (request_id, org_id, content) VALUES ($1, $2, '\\x00')`, [
      rows[0]!.id,
      orgId,
    ]);
  }
  const { rows: channel } = await pool.query<{ id: string }>(
    `INSERT INTO notification_channels (org_id, kind, name) VALUES ($1, 'EMAIL', 'edges') RETURNING id`,
    [orgId],
  );
  const deliveries = instantEdges(90);
  for (const age of [...deliveries.kept, ...deliveries.gone]) {
    await pool.query(
      `INSERT INTO notification_deliveries (org_id, channel_id, dedupe_key, status, created_at)
       VALUES ($1, $2, $3, 'SENT', $4)`,
      [orgId, channel[0]!.id, randomUUID(), new Date(now - age)],
    );
  }

  expect(await runRetention(pool, { now })).not.toBeNull();
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('retention at the edges of each window', () => {
  it('raw events: an app shorter than the longest loses rows at the instant its window ends', async () => {
    await expectKeptAndGone((age) => present('events', 'occurred_at', week, age), instantEdges(7));
  });

  it('raw events: the longest window drops whole days — N−1 days and just inside kept, N+1 days gone', async () => {
    const { kept, gone } = instantEdges(30);
    await expectKeptAndGone((age) => present('events', 'occurred_at', month, age), {
      kept,
      gone: gone.slice(1), // just past N days shares a partition with newer rows, kept until the day ends
    });
  });

  it("sessions follow the app's raw event window", async () => {
    await expectKeptAndGone((age) => present('sessions', 'started_at', week, age), instantEdges(7));
    await expectKeptAndGone((age) => present('sessions', 'started_at', month, age), instantEdges(30));
  });

  it("crash reports follow the app's crash window", async () => {
    await expectKeptAndGone((age) => present('crash_reports', 'occurred_at', week, age), instantEdges(90));
    await expectKeptAndGone((age) => present('crash_reports', 'occurred_at', month, age), instantEdges(180));
  });

  it('hourly rollups keep 90 days, or the aggregate window when shorter', async () => {
    for (const [appId, days] of [
      [week, 90],
      [month, 60],
    ] as const) {
      await expectKeptAndGone((age) => present('rollups_hourly', 'bucket', appId, age), {
        kept: [(days - 1) * DAY, days * DAY],
        gone: [days * DAY + HOUR, (days + 1) * DAY],
      });
    }
  });

  it('daily rollups and device days keep the day N days back and lose the one before', async () => {
    for (const [appId, days] of [
      [week, 730],
      [month, 60],
    ] as const) {
      for (const table of ['rollups_daily', 'device_days']) {
        const probe = async (age: number) => presentDay(table, appId, dayOf(now - age));
        await expectKeptAndGone(probe, { kept: [(days - 1) * DAY, days * DAY], gone: [(days + 1) * DAY] });
      }
    }
  });

  it('export bundles go the moment they expire, not before', async () => {
    const { rows } = await pool.query<{ expires: Date }>(
      `SELECT r.result_expires_at AS expires FROM gdpr_export_files f JOIN gdpr_requests r ON r.id = f.request_id
       ORDER BY r.result_expires_at`,
    );
    expect(rows.map((r) => r.expires.getTime() - now)).toEqual([MIN, DAY]);
  });

  it('the alert delivery log keeps 90 days', async () => {
    const delivered = (age: number) =>
      count('SELECT count(*) AS n FROM notification_deliveries WHERE created_at = $1', [new Date(now - age)]);
    await expectKeptAndGone(delivered, instantEdges(90));
  });
});

import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type SeedDemoResult } from './index.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let seeded: SeedDemoResult;
const now = new Date('2026-11-20T12:00:00Z');
const DAYS = 7;

async function one<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T> {
  return (await pool.query<T>(sql, params)).rows[0]!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  pool = createPool({ connectionString: db.url, max: 4 });
  seeded = await seedDemo({ prisma, pool, events: 20_000, days: DAYS, devices: 200, now });
}, 120_000);

afterAll(async () => {
  await prisma.$disconnect();
  await pool.end();
  await db.drop();
});

describe('seed-demo', () => {
  it('reports exactly what it stored', async () => {
    const org = seeded.org.id;
    const counts = await one<{ events: string; sessions: string; devices: string; reports: string; groups: string }>(
      `SELECT (SELECT count(*) FROM events WHERE org_id = $1) AS events, (SELECT count(*) FROM sessions WHERE org_id = $1) AS sessions,
              (SELECT count(*) FROM devices WHERE org_id = $1) AS devices, (SELECT count(*) FROM crash_reports WHERE org_id = $1) AS reports,
              (SELECT count(*) FROM crash_groups WHERE org_id = $1) AS groups`,
      [org],
    );
    expect(counts).toEqual({
      events: String(seeded.counts.events),
      sessions: String(seeded.counts.sessions),
      devices: String(seeded.counts.devices),
      reports: String(seeded.counts.crashReports),
      groups: String(seeded.counts.crashGroups),
    });
    expect(seeded.counts.events).toBeGreaterThan(15_000);
    expect(seeded.counts.events).toBeLessThan(30_000);
    expect(seeded.apps).toHaveLength(3);
    expect(seeded.apiKey).toMatch(/^sk_/);
  });

  it('spreads events over the requested days, only for its own apps, across several versions', async () => {
    const span = await one<{ first: Date; last: Date; foreign: string; versions: string }>(
      `SELECT min(occurred_at) AS first, max(occurred_at) AS last,
              count(*) FILTER (WHERE app_id <> ALL($2::int[])) AS foreign, count(DISTINCT app_version) AS versions
         FROM events WHERE org_id = $1`,
      [seeded.org.id, seeded.apps.map((a) => a.id)],
    );
    expect(span.first.getTime()).toBeGreaterThanOrEqual(now.getTime() - DAYS * 86_400_000);
    expect(span.last.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(span.last.getTime() - span.first.getTime()).toBeGreaterThan((DAYS - 1.5) * 86_400_000);
    expect(span.foreign).toBe('0');
    expect(Number(span.versions)).toBeGreaterThanOrEqual(6);
  });

  it('keeps crash groups consistent with their reports, with real-looking Lua traces', async () => {
    const mismatched = await one<{ n: string }>(
      `SELECT count(*) AS n FROM crash_groups g
        WHERE g.org_id = $1 AND g.occurrence_count <> (SELECT count(*) FROM crash_reports r WHERE r.group_id = g.id)`,
      [seeded.org.id],
    );
    expect(mismatched.n).toBe('0');
    const lua = await one<{ n: string }>(
      `SELECT count(*) AS n FROM crash_reports WHERE org_id = $1 AND stack_trace ~ '^\\w+\\.lua:\\d+: in function'`,
      [seeded.org.id],
    );
    expect(Number(lua.n)).toBeGreaterThan(0);
  });

  it('can run again beside an earlier demo without clashing', async () => {
    const again = await seedDemo({ prisma, pool, events: 2_000, days: 2, devices: 30, now });
    expect(again.org.id).not.toBe(seeded.org.id);
    expect(again.org.slug).not.toBe(seeded.org.slug);
    const mine = await one<{ n: string }>('SELECT count(*) AS n FROM events WHERE org_id = $1', [seeded.org.id]);
    expect(Number(mine.n)).toBe(seeded.counts.events);
  });
});

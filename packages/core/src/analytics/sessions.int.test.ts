import { randomUUID } from 'node:crypto';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import type { EventRow } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createTestOrg } from '../testing/factories.ts';
import { deriveSessions } from './sessions.ts';

// Sessions as the event writer derives them, and the one case where they mark a rollup
// hour the events do not: a session that runs past midnight changes the day it began.

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 2 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

async function derive(rows: EventRow[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await deriveSessions(client, rows);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

describe('derived sessions', () => {
  it('marks the first hour of a session that ran past midnight, and no other', async () => {
    const org = await createTestOrg(prisma);
    const appId = (await createTestApp(prisma, org.org.id)).app.id;
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const event = (sessionId: string, at: number): EventRow => ({
      orgId: org.org.id,
      appId,
      id: randomUUID(),
      occurredAt: at,
      receivedAt: Date.now(),
      type: 'screen_view',
      name: 'home',
      deviceId: 'd1',
      sessionId,
    });
    await derive([event('late', midnight - 10 * 60_000), event('day', midnight + 3_600_000)]);
    expect(await prisma.rollupDirtyHour.count({ where: { appId } })).toBe(0);

    await derive([event('late', midnight + 10 * 60_000), event('day', midnight + 2 * 3_600_000)]);
    const marked = await prisma.rollupDirtyHour.findMany({ where: { appId } });
    expect(marked.map((m) => m.hour.toISOString())).toEqual([new Date(midnight - 3_600_000).toISOString()]);
    const late = await prisma.telemetrySession.findFirstOrThrow({ where: { appId, id: 'late' } });
    expect(Number(late.durationMs)).toBe(20 * 60_000);
  });
});

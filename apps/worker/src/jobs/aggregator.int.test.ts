import { randomUUID } from 'node:crypto';
import { createLogger } from '@sightline/core';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAggregator } from './aggregator.ts';

// The aggregator as it runs in the worker: a BullMQ job scheduler on real Redis picks up
// what the event writer marked, with no one calling it.

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let aggregator: Awaited<ReturnType<typeof startAggregator>>;
const rolledUp: Array<{ orgId: string; appId: number }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  aggregator = await startAggregator({
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: `test-agg-${randomUUID().slice(0, 8)}`,
    pool,
    log: createLogger('aggregator-test', 'silent'),
    everyMs: 250,
    onRolledUp: ({ apps }) => void rolledUp.push(...apps),
  });
});

afterAll(async () => {
  await aggregator?.close();
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('aggregator job', () => {
  it('rolls up newly written events on its own schedule, late ones included', async () => {
    const org = await createTestOrg(prisma);
    const appId = (await createTestApp(prisma, org.org.id)).app.id;
    const writer = createEventWriter(pool);
    const event = (occurredAt: number, deviceId: string) => ({
      orgId: org.org.id,
      appId,
      id: randomUUID(),
      occurredAt,
      receivedAt: Date.now(),
      type: 'app_start',
      deviceId,
    });
    // One clock reading for the events and the day they are looked up under (midnight may pass).
    const now = Date.now();
    await writer.write([event(now, 'a'), event(now, 'b')]);
    const today = new Date(Math.floor(now / 86_400_000) * 86_400_000);
    const active = async (day: Date) =>
      (await prisma.rollupDaily.findFirst({
        where: { orgId: org.org.id, appId, day, metric: 'active', dimension: '' },
      })) ?? undefined;
    expect((await until(() => active(today), 20)).uniqueDevices).toBe(2);

    const yesterday = new Date(today.getTime() - 86_400_000);
    await writer.write([event(yesterday.getTime() + 3_600_000, 'c')]);
    expect((await until(() => active(yesterday), 20)).uniqueDevices).toBe(1);
    expect(await prisma.rollupDirtyHour.count({ where: { appId } })).toBe(0);
    // The api's cache is told which apps changed.
    expect(rolledUp).toContainEqual({ orgId: org.org.id, appId });
  });
});

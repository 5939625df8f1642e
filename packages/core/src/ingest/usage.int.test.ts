import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg } from '../testing/index.ts';
import { createIngestBuffer, usageKeys } from './buffer.ts';
import { flushUsageCounters } from './usage.ts';

// The monthly quota lives in Redis counters; usage_counters in PostgreSQL is their copy. A
// Redis that lost its counters (restarted without persistence) must neither pull PostgreSQL
// down nor hand the org a fresh month's quota.

const namespace = `test-${Math.random().toString(36).slice(2)}`;
let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let redis: Redis;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  pool = createPool({ connectionString: db.url, max: 2 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await pool.end();
  await prisma.$disconnect();
  await db.drop();
});

async function stored(orgId: string) {
  const rows = await prisma.usageCounter.findMany({ where: { orgId } });
  return rows.map((u) => [Number(u.eventsAccepted), Number(u.eventsDropped), Number(u.crashesAccepted)]);
}

describe('flushUsageCounters', () => {
  it('never writes smaller values over PostgreSQL and restores counters Redis lost, so the quota holds', async () => {
    const { org } = await createTestOrg(prisma);
    const keys = usageKeys(namespace, org.id, Date.now());
    await redis.set(keys.accepted, 10);
    await redis.set(keys.dropped, 4);
    await redis.set(keys.crashes, 2);
    await flushUsageCounters(pool, redis, namespace);
    expect(await stored(org.id)).toEqual([[10, 4, 2]]);

    // Redis restarts empty, then counts the first requests after the restart.
    await redis.del(keys.accepted, keys.dropped, keys.crashes);
    await redis.incrby(keys.accepted, 3);
    await flushUsageCounters(pool, redis, namespace);
    expect(await stored(org.id)).toEqual([[10, 4, 2]]);
    expect(await redis.mget(keys.accepted, keys.dropped, keys.crashes)).toEqual(['10', '4', '2']);
    expect(await redis.ttl(keys.accepted)).toBeGreaterThan(86_400);

    // The quota counts from the restored value: 10 used of 12, a batch of 5 is over it.
    const buffer = createIngestBuffer(redis, { namespace });
    const batch = { o: org.id, a: 1, r: Date.now(), e: Array.from({ length: 5 }, () => ({}) as never) };
    expect(await buffer.append(batch, { quota: 12, limits: [], dropped: 0 })).toMatchObject({
      status: 'over_quota',
      events: true,
    });
    expect(await stored(org.id)).toEqual([[10, 4, 2]]);
  });

  it('keeps counts Redis made since the last flush (Redis ahead of PostgreSQL is the normal case)', async () => {
    const { org } = await createTestOrg(prisma);
    const keys = usageKeys(namespace, org.id, Date.now());
    await redis.set(keys.accepted, 5);
    await flushUsageCounters(pool, redis, namespace);
    await redis.incrby(keys.accepted, 7);
    await flushUsageCounters(pool, redis, namespace);
    await flushUsageCounters(pool, redis, namespace);
    expect(await stored(org.id)).toEqual([[12, 0, 0]]);
    expect(await redis.get(keys.accepted)).toBe('12');
  });
});

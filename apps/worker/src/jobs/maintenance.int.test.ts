import { randomBytes } from 'node:crypto';
import { createLogger } from '@sightline/core';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { listEventPartitions, partitionName, dayIndexOf } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { MAINTENANCE_JOBS, QUEUES } from '@sightline/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMaintenance } from './maintenance.ts';

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let redis: Redis;
const prefix = `test-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 2 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});

afterAll(async () => {
  const queue = new Queue(QUEUES.maintenance, { connection: redis, prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await pool.end();
  await prisma.$disconnect();
  redis.disconnect();
  await db.drop();
});

describe('maintenance worker', () => {
  it('creates the event partitions for today and the days ahead as soon as it starts', async () => {
    const log = createLogger('worker-test', 'silent');
    const started = Date.now();
    const maintenance = await startMaintenance({ connection: redis, pool, prisma, cache: redis, usageRedis: redis, log, daysAhead: 2, prefix });
    try {
      // The worker read its own clock when it started: "today" is the day of that moment,
      // which lies between starting it and seeing its partitions (midnight may pass).
      const ahead = (day: number) => [day, day + 1, day + 2].map(partitionName);
      let names: string[] = [];
      const made = () => [dayIndexOf(started), dayIndexOf(Date.now())].some((d) => ahead(d).every((n) => names.includes(n)));
      for (let i = 0; i < 100 && !made(); i++) {
        await new Promise((r) => setTimeout(r, 100));
        names = (await listEventPartitions(pool)).map((p) => p.name);
      }
      expect(made(), names.join(', ')).toBe(true);

      const queue = new Queue(QUEUES.maintenance, { connection: redis, prefix });
      const schedulers = await queue.getJobSchedulers();
      await queue.close();
      expect(schedulers.map((s) => s.key)).toEqual(expect.arrayContaining(Object.values(MAINTENANCE_JOBS)));
    } finally {
      await maintenance.close();
    }
  });
});

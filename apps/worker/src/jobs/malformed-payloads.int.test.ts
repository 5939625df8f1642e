import { randomUUID } from 'node:crypto';
import { createLogger, createLogMailer } from '@sightline/core';
import { createTestOrg } from '@sightline/core/testing';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { ANALYTICS_JOBS, ALERT_JOBS, MAINTENANCE_JOBS, PRIVACY_JOBS, QUEUES, type QueueName } from '@sightline/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAggregator } from './aggregator.ts';
import { startAlerts } from './alerts.ts';
import { startMaintenance } from './maintenance.ts';
import { startPrivacy } from './privacy.ts';

// Every queue the worker consumes, fed a job whose payload does not match its schema (a bug
// in a producer, or a job left by an older or newer release): the job fails at once, with a
// reason an operator can read in the failed set, and is not retried although its options
// allow several attempts.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-malformed-${randomUUID().slice(0, 8)}`;
const log = createLogger('malformed-test', 'silent');
let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let redis: Redis;
const closers: Array<{ close(): Promise<void> }> = [];
const queues = new Map<QueueName, Queue>();

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const connection = { url: REDIS_URL };
  // Sweeps and passes only when told (0), so that the one job each test adds is the only one.
  const alerts = await startAlerts({
    prisma,
    connection,
    prefix,
    log,
    appSecret: 'malformed-test-secret-0123456789abcdef0123',
    mailer: createLogMailer(log),
    webUrl: 'http://portal.test',
    sweepEveryMs: 0,
  });
  const privacy = await startPrivacy({ connection, prefix, pool, log, sweepEveryMs: 0 });
  const aggregator = await startAggregator({ connection, prefix, pool, log, everyMs: 0 });
  const maintenance = await startMaintenance({
    connection: redis,
    pool,
    prisma,
    cache: redis,
    log,
    daysAhead: 1,
    prefix,
  });
  closers.push(alerts, privacy, aggregator, maintenance);
});

afterAll(async () => {
  for (const started of closers) await started.close();
  await Promise.all([...queues.values()].map((queue) => queue.obliterate({ force: true }).then(() => queue.close())));
  redis?.disconnect();
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

/** Adds one job with up to five attempts and answers it once it has failed for good. */
async function addAndWaitForFailure(queueName: QueueName, name: string, data: unknown) {
  let queue = queues.get(queueName);
  if (!queue) {
    queue = new Queue(queueName, { connection: { url: REDIS_URL }, prefix });
    queues.set(queueName, queue);
  }
  const added = await queue.add(name, data, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = await queue.getJobState(added.id as string);
    // Read the job only once it has failed: a copy read earlier lacks the failure.
    if (state === 'failed') return (await queue.getJob(added.id as string))!;
    if (Date.now() > deadline) throw new Error(`job ${name} did not fail (state ${state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a job whose payload does not match its schema', () => {
  it('alerts: a delivery without a delivery id fails once, saying so', async () => {
    const job = await addAndWaitForFailure(QUEUES.alerts, ALERT_JOBS.deliver, { delivery: 'x' });
    expect(job.failedReason).toMatch(/job "deliver" has a malformed payload \(deliveryId: /);
    expect(job.attemptsMade).toBe(1);
  });

  it('privacy: a deletion naming no request id fails once, and no request is touched', async () => {
    const org = await createTestOrg(prisma);
    const request = await prisma.gdprRequest.create({
      data: { orgId: org.org.id, kind: 'DELETE', scope: 'ORG', requestedByType: 'SYSTEM' },
    });
    const job = await addAndWaitForFailure(QUEUES.privacy, PRIVACY_JOBS.delete, { requestId: 17 });
    expect(job.failedReason).toMatch(/job "delete-subject" has a malformed payload \(requestId: /);
    expect(job.attemptsMade).toBe(1);
    expect((await prisma.gdprRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('PENDING');

    const exported = await addAndWaitForFailure(QUEUES.privacy, PRIVACY_JOBS.export, 'everything');
    expect(exported.failedReason).toMatch(/job "export-subject" has a malformed payload/);
    expect(exported.attemptsMade).toBe(1);
  });

  it('analytics: an aggregation pass given options it does not take fails once', async () => {
    const job = await addAndWaitForFailure(QUEUES.analytics, ANALYTICS_JOBS.aggregate, { hours: 3 });
    expect(job.failedReason).toMatch(/job "aggregate" has a malformed payload/);
    expect(job.attemptsMade).toBe(1);
  });

  it('maintenance: a retention run given data it does not take fails once', async () => {
    const job = await addAndWaitForFailure(QUEUES.maintenance, MAINTENANCE_JOBS.retention, { olderThanDays: 1 });
    expect(job.failedReason).toMatch(/job "retention" has a malformed payload/);
    expect(job.attemptsMade).toBe(1);
  });
});

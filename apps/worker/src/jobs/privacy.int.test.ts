import { randomUUID } from 'node:crypto';
import {
  createDeadLetterStore,
  createLogger,
  registerDevice,
  requestDeviceDeletion,
  type Principal,
} from '@sightline/core';
import { PRIVACY_JOBS, QUEUES } from '@sightline/jobs';
import { Queue } from 'bullmq';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivacy } from './privacy.ts';

// The worker's side of GDPR requests on real BullMQ: a request whose job never reached
// Redis is found by the sweep, queued and carried out; one that keeps failing ends FAILED.

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let privacy: Awaited<ReturnType<typeof startPrivacy>>;
const prefix = `test-privacy-${randomUUID().slice(0, 8)}`;
const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
const redis = new Redis(connection.url);
const deadLetters = createDeadLetterStore(redis, prefix);

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  privacy = await startPrivacy({
    connection,
    prefix,
    pool,
    log: createLogger('privacy-test', 'silent'),
    sweepEveryMs: 0,
    deadLetters,
  });
});

afterAll(async () => {
  await privacy?.close();
  await redis.del(deadLetters.key, `${deadLetters.key}:payloads`, `${deadLetters.key}:bytes`);
  redis.disconnect();
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('privacy jobs', () => {
  it('sweeps up a deletion that was never queued and carries it out', async () => {
    const org = await createTestOrg(prisma);
    const app = await createTestApp(prisma, org.org.id);
    const ingest: Principal = {
      kind: 'ingest_key',
      credentialId: 'k',
      orgId: org.org.id,
      appId: app.app.id,
      scopes: ['ingest'],
      orgSuspended: false,
    };
    const { deviceId } = await registerDevice(
      prisma,
      ingest,
      { app_id: app.app.id, device_id: 'raw' },
      'secret-for-tests-0123456789abcdef',
    );
    const device = await prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    await createEventWriter(pool).write([
      {
        orgId: org.org.id,
        appId: app.app.id,
        id: randomUUID(),
        occurredAt: Date.now(),
        receivedAt: Date.now(),
        type: 'app_start',
        deviceId: device.deviceIdHash,
      },
    ]);
    const request = await requestDeviceDeletion(prisma, {
      ...ingest,
      kind: 'device_token',
      deviceId,
      deviceIdHash: device.deviceIdHash,
    });
    await prisma.gdprRequest.update({ where: { id: request.id }, data: { createdAt: new Date(Date.now() - 120_000) } });
    // An event of the device the writers could not store: the deletion takes it from Redis too.
    await deadLetters.push(
      { id: 'events/1-0', stream: 'events', kind: 'refused', reason: 'refused', entry: '1-0' },
      JSON.stringify({
        o: org.org.id,
        a: app.app.id,
        r: Date.now(),
        e: [[randomUUID(), Date.now(), 'app_start', null, device.deviceIdHash]],
      }),
    );

    expect(await privacy.sweep()).toBe(1);
    const done = await until(async () => {
      const r = await prisma.gdprRequest.findUniqueOrThrow({ where: { id: request.id } });
      return r.status === 'COMPLETED' ? r : undefined;
    }, 20);
    expect(done.progress).toMatchObject({ removed: { events: 1, device: 1, dead_letters: 1 } });
    expect(await deadLetters.count()).toBe(0);
    expect(await prisma.event.count({ where: { appId: app.app.id } })).toBe(0);
  });

  it('marks a request FAILED, with the reason, once its job is out of attempts', async () => {
    const org = await createTestOrg(prisma);
    const app = await createTestApp(prisma, org.org.id);
    // A request whose recorded progress is unreadable: every attempt throws.
    const request = await prisma.gdprRequest.create({
      data: {
        orgId: org.org.id,
        appId: app.app.id,
        kind: 'DELETE',
        subjectType: 'DEVICE',
        subjectKey: 'd',
        requestedByType: 'SYSTEM',
        progress: { done: 5 },
      },
    });
    const queue = new Queue(QUEUES.privacy, { connection, prefix });
    await queue.add(PRIVACY_JOBS.delete, { requestId: request.id }, { jobId: request.id, attempts: 2 });
    await queue.close();
    const failed = await until(async () => {
      const r = await prisma.gdprRequest.findUniqueOrThrow({ where: { id: request.id } });
      return r.status === 'FAILED' ? r : undefined;
    }, 20);
    expect(failed.error).toMatch(/includes is not a function/);
    // The sweep, which picks up open requests older than a minute, leaves it alone.
    await prisma.gdprRequest.update({ where: { id: request.id }, data: { createdAt: new Date(Date.now() - 120_000) } });
    expect(await privacy.sweep()).toBe(0);
  });
});

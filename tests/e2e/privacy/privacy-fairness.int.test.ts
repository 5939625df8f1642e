import { randomUUID } from 'node:crypto';
import { buildServer } from '@sightline/api';
import { createTestServerDeps } from '@sightline/api/testing';
import { createLogger } from '@sightline/core';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { createPool } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { createPrivacyQueue, QUEUES } from '@sightline/jobs';
import type pg from 'pg';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivacy } from '@sightline/worker';

// The privacy queue is shared by every tenant and each of its jobs scans every day partition
// of `events`. One organization's flood of exports and deletions must not hold another's
// request behind it: real api routes, real BullMQ worker, real PostgreSQL.

const CAP = 2;
const FLOOD = 120;
const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
// The worker's own pool, as in production: a job holds one connection for its request's lock.
let pool: pg.Pool;
const workers: Array<Awaited<ReturnType<typeof startPrivacy>>> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url, undefined, { privacyOrgMaxInFlight: CAP });
  api = await buildServer(deps);
  pool = createPool({ connectionString: db.url, max: 6 });
});

afterAll(async () => {
  for (const worker of workers) await worker.close();
  await api?.close();
  await pool?.end();
  await deps?.close();
  await db?.drop();
});

async function deviceToken(key: string, deviceId: string): Promise<string> {
  const res = await api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: JSON.stringify({ device_id: deviceId }),
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string }>().token;
}

async function ask(token: string, kind: 'EXPORT' | 'DELETE'): Promise<string> {
  const res = await api.inject(
    kind === 'EXPORT'
      ? { method: 'GET', url: '/v1/privacy/export', headers: { authorization: `Bearer ${token}` } }
      : { method: 'DELETE', url: '/v1/privacy/data', headers: { authorization: `Bearer ${token}` } },
  );
  expect(res.statusCode).toBe(202);
  return res.json<{ request_id: string }>().request_id;
}

const statusOf = async (id: string) =>
  (await deps.prisma.gdprRequest.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;

describe('privacy queue fairness', () => {
  it("serves another organization's request long before one organization's flood is through", async () => {
    const flooder = await createTestOrg(deps.prisma);
    const floodApp = await createTestApp(deps.prisma, flooder.org.id);
    const flood: string[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const token = await deviceToken(floodApp.ingestKey, `flood-${i}`);
      flood.push(await ask(token, i % 2 ? 'EXPORT' : 'DELETE'));
    }
    const other = await createTestOrg(deps.prisma);
    const otherApp = await createTestApp(deps.prisma, other.org.id);
    const theirs = await ask(await deviceToken(otherApp.ingestKey, 'their-phone'), 'DELETE');

    const queue = new Queue(QUEUES.privacy, { connection, prefix: `${deps.namespace}-bull` });
    const queued = (await queue.getJobs(['waiting', 'prioritized', 'delayed'])).length;
    await queue.close();

    workers.push(
      await startPrivacy({
        connection,
        prefix: `${deps.namespace}-bull`,
        pool,
        log: createLogger('privacy-fairness-test', process.env.DEBUG_PRIVACY ? 'debug' : 'silent'),
        sweepEveryMs: 0,
        maxInFlightPerOrg: CAP,
      }),
    );
    await until(async () => ((await statusOf(theirs)) === 'COMPLETED' ? true : undefined), 60);
    const floodDone = await deps.prisma.gdprRequest.count({ where: { id: { in: flood }, status: 'COMPLETED' } });
    // Behind at most the flooder's share (and what ran beside it), not behind its 120.
    expect(floodDone).toBeLessThanOrEqual(CAP * 3);
    // Because only the flooding organization's share was on the queue; the rest waited in PostgreSQL.
    expect(queued).toBe(CAP + 1);

    // And the flood itself is carried out in full, admitted as its earlier requests finish.
    await until(async () => {
      const done = await deps.prisma.gdprRequest.count({ where: { id: { in: flood }, status: 'COMPLETED' } });
      return done === FLOOD ? true : undefined;
    }, 240);
  }, 400_000);

  it("holds an organization's requests beyond its share, and the sweep frees a place whose end was missed", async () => {
    const prefix = `test-fair-${randomUUID().slice(0, 8)}`;
    const org = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.org.id);
    const requests = await Promise.all(
      [0, 1, 2].map((i) =>
        deps.prisma.gdprRequest.create({
          data: {
            orgId: org.org.id,
            appId: app.app.id,
            kind: 'DELETE',
            subjectType: 'DEVICE',
            subjectKey: `missing-${i}`,
            requestedByType: 'SYSTEM',
            createdAt: new Date(Date.now() - 120_000 + i * 1000),
          },
        }),
      ),
    );
    const [first, second, third] = requests as [(typeof requests)[0], (typeof requests)[0], (typeof requests)[0]];
    const producer = createPrivacyQueue({ connection, prefix, maxInFlightPerOrg: CAP });
    for (const r of requests) await producer.enqueueDeletion(r.id, org.org.id);
    const queue = new Queue(QUEUES.privacy, { connection, prefix });
    const waiting = async () => (await queue.getJobs(['waiting'])).map((j) => j.id).sort();
    expect(await waiting()).toEqual([first.id, second.id].sort());

    // The first ends while no worker sees it (its job gone with a dead worker): its place is
    // still held until the sweep notices the request is over.
    await (await queue.getJob(first.id))?.remove();
    await deps.prisma.gdprRequest.update({ where: { id: first.id }, data: { status: 'FAILED' } });
    const worker = await startPrivacy({
      connection,
      prefix,
      pool,
      log: createLogger('privacy-fairness-test', process.env.DEBUG_PRIVACY ? 'debug' : 'silent'),
      sweepEveryMs: 0,
      maxInFlightPerOrg: CAP,
    });
    workers.push(worker);
    await until(async () => ((await statusOf(second.id)) === 'COMPLETED' ? true : undefined), 30);
    // The second's end admitted the third on its own; the sweep then has nothing held to free.
    await until(async () => ((await statusOf(third.id)) === 'COMPLETED' ? true : undefined), 30);
    expect((await producer.admitted()).has(first.id)).toBe(true);
    await worker.sweep();
    expect((await producer.admitted()).size).toBe(0);
    await queue.close();
    await producer.close();
  }, 120_000);
});

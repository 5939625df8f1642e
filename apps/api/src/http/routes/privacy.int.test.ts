import { randomUUID } from 'node:crypto';
import { hashDeviceId, QUEUES, runSubjectDeletion } from '@sightline/core';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

// DELETE /v1/privacy/data with a device's own token: scheduled, queued, carried out for
// that device of that app only.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

async function deviceWithEvents(app: Awaited<ReturnType<typeof createTestApp>>, rawId: string) {
  const res = await api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.ingestKey}` },
    payload: JSON.stringify({ app_id: app.app.id, device_id: rawId }),
  });
  const { token } = res.json<{ token: string }>();
  const { deviceIdSalt } = await deps.prisma.app.findUniqueOrThrow({ where: { id: app.app.id } });
  const hash = hashDeviceId(deviceIdSalt, rawId);
  await createEventWriter(deps.pool).write(
    Array.from({ length: 5 }, () => ({
      orgId: app.app.orgId,
      appId: app.app.id,
      id: randomUUID(),
      occurredAt: Date.now(),
      receivedAt: Date.now(),
      type: 'app_start',
      deviceId: hash,
    })),
  );
  return { token, hash };
}

const del = (token: string) =>
  api.inject({ method: 'DELETE', url: '/v1/privacy/data', headers: { authorization: `Bearer ${token}` } });

describe('DELETE /v1/privacy/data', () => {
  it("schedules the device's deletion, queues it once, and removes only that device's data", async () => {
    const org = await createTestOrg(deps.prisma);
    const appA = await createTestApp(deps.prisma, org.org.id);
    const appB = await createTestApp(deps.prisma, org.org.id);
    // The same raw device id in two apps: different stored ids, different subjects.
    const a = await deviceWithEvents(appA, 'phone-1');
    const b = await deviceWithEvents(appB, 'phone-1');

    const res = await del(a.token);
    expect(res.statusCode).toBe(202);
    const body = res.json<{ status: string; request_id: string }>();
    expect(body.status).toBe('scheduled');
    // The token is revoked at once: the device can neither send nor ask again.
    expect((await del(a.token)).statusCode).toBe(401);
    const queue = new Queue(QUEUES.privacy, {
      connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: `${deps.namespace}-bull`,
    });
    expect((await queue.getJob(body.request_id))?.data).toEqual({ requestId: body.request_id });
    await queue.close();

    await runSubjectDeletion(deps.pool, body.request_id); // what the worker's job does
    const events = (appId: number, hash: string) => deps.prisma.event.count({ where: { appId, deviceId: hash } });
    expect(await events(appA.app.id, a.hash)).toBe(0);
    expect(await events(appB.app.id, b.hash)).toBe(5);
    expect((await del(b.token)).statusCode).toBe(202);
  });

  it('refuses other credentials', async () => {
    const org = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.org.id);
    expect((await del(app.ingestKey)).statusCode).toBe(403);
    const anonymous = await api.inject({ method: 'DELETE', url: '/v1/privacy/data' });
    expect(anonymous.statusCode).toBe(401);
  });
});

import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { hashDeviceId, openExport, runSubjectDeletion, runSubjectExport } from '@sightline/core';
import { QUEUES } from '@sightline/jobs';
import { createTestApiKey, createTestApp, createTestOrg } from '@sightline/core/testing';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

/** The link with its signature's first character changed (to one it surely was not). */
const tamper = (link: string) => link.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'x' ? 'y' : 'x'}`);

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

    // The device's token is gone, but its signed status link shows the request.
    const statusPath = (body as unknown as { status_url: string }).status_url.replace('http://api.test:4000', '');
    const status = () => api.inject({ method: 'GET', url: statusPath });
    expect((await status()).json()).toMatchObject({ request_id: body.request_id, kind: 'delete', status: 'scheduled' });
    expect((await api.inject({ method: 'GET', url: tamper(statusPath) })).statusCode).toBe(404);
    expect((await api.inject({ method: 'GET', url: '/v1/privacy/requests/not-a-uuid?sig=x' })).statusCode).toBe(404);

    await runSubjectDeletion(deps.pool, body.request_id); // what the worker's job does
    expect((await status()).json()).toMatchObject({ status: 'completed', completed_at: expect.any(String) as string });
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

describe('GET /v1/privacy/export', () => {
  it("builds the device's bundle behind a signed link that only works unchanged and unexpired", async () => {
    const org = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.org.id);
    const mine = await deviceWithEvents(app, 'tablet-1');
    await deviceWithEvents(app, 'tablet-2');
    const ask = () =>
      api.inject({ method: 'GET', url: '/v1/privacy/export', headers: { authorization: `Bearer ${mine.token}` } });

    const first = await ask();
    expect(first.statusCode).toBe(202);
    const body = first.json<{ download_url: string; status: string; request_id: string; expires_at: string }>();
    expect(body).toMatchObject({ status: 'scheduled' });
    expect(body.download_url).toMatch(
      /^http:\/\/api\.test:4000\/v1\/privacy\/exports\/[0-9a-f-]{36}\?expires=\d+&sig=/,
    );
    const path = body.download_url.replace('http://api.test:4000', '');
    expect((await api.inject({ method: 'GET', url: path })).statusCode).toBe(202); // still being built

    await runSubjectExport(deps.pool, body.request_id); // what the worker's job does
    const again = await ask();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'ready', request_id: body.request_id });
    const file = await api.inject({ method: 'GET', url: path });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-encoding']).toBe('gzip');
    const bundle = JSON.parse(gunzipSync(file.rawPayload).toString()) as {
      subject: { deviceId: string };
      devices: unknown[];
      events: Array<{ type: string }>;
    };
    expect(bundle.subject.deviceId).toBe(mine.hash);
    expect(bundle.devices).toHaveLength(1);
    expect(bundle.events).toHaveLength(5); // its own five, not the other tablet's
    expect(JSON.stringify(bundle)).not.toContain(
      hashDeviceId((await deps.prisma.app.findUniqueOrThrow({ where: { id: app.app.id } })).deviceIdSalt, 'tablet-2'),
    );

    // A changed signature, another request's id under this signature, or a link past its expiry: 404.
    expect((await api.inject({ method: 'GET', url: tamper(path) })).statusCode).toBe(404);
    const theirs = await createTestOrg(deps.prisma);
    const theirApp = await createTestApp(deps.prisma, theirs.org.id);
    const theirDevice = await deviceWithEvents(theirApp, 'tablet-1');
    const theirExport = (
      await api.inject({
        method: 'GET',
        url: '/v1/privacy/export',
        headers: { authorization: `Bearer ${theirDevice.token}` },
      })
    ).json<{ request_id: string }>();
    expect(
      (await api.inject({ method: 'GET', url: path.replace(body.request_id, theirExport.request_id) })).statusCode,
    ).toBe(404);
    const expires = Number(new URL(body.download_url).searchParams.get('expires'));
    const sig = new URL(body.download_url).searchParams.get('sig');
    expect(await openExport(deps.prisma, deps.secret, { id: body.request_id, expires, sig }, expires + 1)).toBeNull();
    expect(
      (
        await api.inject({
          method: 'GET',
          url: '/v1/privacy/export',
          headers: { authorization: `Bearer ${app.ingestKey}` },
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe("the organization's requests over GraphQL", () => {
  const gql = async (key: string, query: string) => {
    const res = await api.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: { query },
    });
    return res.json<{
      data?: Record<string, Record<string, unknown> & { id: string; downloadUrl: string | null }> | null;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    }>();
  };

  it("deletes an end user's device on their behalf, and exports the organization behind a working link", async () => {
    const org = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.org.id);
    const admin = (await createTestApiKey(deps.prisma, org.org.id, ['admin'])).secret;
    const reader = (await createTestApiKey(deps.prisma, org.org.id, ['read'])).secret;
    const device = await deviceWithEvents(app, 'support-ticket-device');

    const refused = await gql(reader, `mutation { exportOrganization { id } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const wrongName = await gql(admin, `mutation { deleteAppData(appId: "${app.app.id}", confirm: "oops") { id } }`);
    expect(wrongName.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(wrongName.errors?.[0]?.message).toContain(app.app.name);
    const both = await gql(
      admin,
      `mutation { requestSubjectDeletion(appId: "${app.app.id}", deviceId: "a", userId: "b") { id } }`,
    );
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');

    const deletion = await gql(
      admin,
      `mutation { requestSubjectDeletion(appId: "${app.app.id}", deviceId: "support-ticket-device") {
          id status subjectType subject stepsDone stepsTotal } }`,
    );
    expect(deletion.data?.requestSubjectDeletion).toMatchObject({
      status: 'PENDING',
      subjectType: 'DEVICE',
      subject: device.hash,
      stepsDone: 0,
      stepsTotal: 10,
    });
    // The device's token stops working at once, before the job runs.
    expect((await del(device.token)).statusCode).toBe(401);
    await runSubjectDeletion(deps.pool, deletion.data!.requestSubjectDeletion!.id);
    expect(await deps.prisma.event.count({ where: { appId: app.app.id } })).toBe(0);

    const exported = await gql(admin, `mutation { exportOrganization { id status downloadUrl expiresAt } }`);
    const id = exported.data!.exportOrganization!.id;
    expect(exported.data?.exportOrganization).toMatchObject({ status: 'PENDING', downloadUrl: null });
    await runSubjectExport(deps.pool, id);
    const listed = await gql(admin, `{ privacyRequests { id kind scope status downloadUrl } }`);
    const list = listed.data?.privacyRequests as unknown as Array<{ id: string; downloadUrl: string | null }>;
    expect(list.map((r) => r.id)).toEqual([id, deletion.data!.requestSubjectDeletion!.id]);
    const file = await api.inject({ method: 'GET', url: list[0]!.downloadUrl!.replace('http://api.test:4000', '') });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('application/x-ndjson');
    const lines = gunzipSync(file.rawPayload).toString().trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'sightline-org-export/1', orgId: org.org.id });
    expect(lines.some((l) => l.includes('"section": "apps"') || l.includes('"section":"apps"'))).toBe(true);
  });
});

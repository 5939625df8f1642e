import { QUEUES } from '@sightline/jobs';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Queue } from 'bullmq';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

// The public endpoints that are not ingestion — device registration with the public pk_
// key, and a device's privacy requests — have limits per key, per address and per device:
// a loop of register + delete from one pk_ meets a 429 that names the limit, and the work
// it left queued is bounded. Real Redis (own key prefix) and PostgreSQL (own database).

const LIMITS = {
  registerPerKeyPerMinute: 12,
  registerPerIpPerMinute: 20,
  registerPerDevicePerHour: 3,
  privacyRequestsPerDevicePerDay: 2,
  privacyRequestsPerAppPerHour: 6,
  settingsWritesPerDevicePerMinute: 3,
  privacyCallsPerAppPerMinute: 40,
};
const CAP = 2;

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let nextAddress = 1;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url, undefined, { publicLimits: LIMITS, privacyOrgMaxInFlight: CAP });
  api = await buildServer(deps);
});

afterAll(async () => {
  await api?.close();
  await deps?.close();
  await db?.drop();
});

/** Each test sends from its own address, so only the address test meets the address limit. */
const address = () => `10.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

const register = (key: string, deviceId: string, remoteAddress: string) =>
  api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    remoteAddress,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: JSON.stringify({ device_id: deviceId }),
  });

const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, token: string, payload?: object) =>
  api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { payload: JSON.stringify(payload) } : {}),
  });

async function tokenFor(key: string, deviceId: string, remoteAddress: string): Promise<string> {
  const res = await register(key, deviceId, remoteAddress);
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string }>().token;
}

/** A 429 that says which limit, with a Retry-After no longer than the limit's window. */
function expectLimited(res: LightMyRequestResponse, name: RegExp, windowSeconds: number): void {
  expect(res.statusCode).toBe(429);
  expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({
    code: 'RATE_LIMITED',
    message: expect.stringMatching(name) as string,
  });
  const wait = Number(res.headers['retry-after']);
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(windowSeconds * 2);
}

async function newApp() {
  const org = await createTestOrg(deps.prisma);
  return createTestApp(deps.prisma, org.org.id);
}

describe('device registration and privacy limits', () => {
  it('a loop of register + delete from one pk_ key meets 429s, and what it queued is bounded', async () => {
    const app = await newApp();
    const from = address();
    const statuses: number[] = [];
    let registerRefusal: LightMyRequestResponse | undefined;
    let deleteRefusal: LightMyRequestResponse | undefined;
    for (let i = 0; i < 30; i++) {
      const reg = await register(app.ingestKey, `loop-device-${i}`, from);
      statuses.push(reg.statusCode);
      if (reg.statusCode !== 200) {
        registerRefusal ??= reg;
        continue;
      }
      const del = await call('DELETE', '/v1/privacy/data', reg.json<{ token: string }>().token);
      statuses.push(del.statusCode);
      if (del.statusCode !== 202) deleteRefusal ??= del;
    }
    // Only 2xx and 429: nothing the loop sent made the api fail.
    expect(statuses.every((s) => s === 200 || s === 202 || s === 429)).toBe(true);
    expectLimited(deleteRefusal!, /export or deletion requests for this app.*PRIVACY_APP_REQUESTS_PER_HOUR/, 3600);
    expectLimited(registerRefusal!, /device registrations for this key.*DEVICE_REGISTER_RPM/, 60);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMITS.registerPerKeyPerMinute);

    // The work: as many requests as the app's allowance, and of those only the org's share
    // on the queue every tenant shares; the rest wait in PostgreSQL.
    const requests = await deps.prisma.gdprRequest.findMany({ where: { orgId: app.app.orgId } });
    expect(requests).toHaveLength(LIMITS.privacyRequestsPerAppPerHour);
    expect(requests.every((r) => r.status === 'PENDING')).toBe(true);
    const queue = new Queue(QUEUES.privacy, {
      connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: `${deps.namespace}-bull`,
    });
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    await queue.close();
    const ours = new Set(requests.map((r) => r.id));
    expect(jobs.filter((j) => ours.has((j.data as { requestId: string }).requestId))).toHaveLength(CAP);
  });

  it('limits registrations of one device id, and from one address across keys', async () => {
    const app = await newApp();
    const other = await newApp();
    const from = address();
    for (let i = 0; i < LIMITS.registerPerDevicePerHour; i++) await tokenFor(app.ingestKey, 'same-phone', from);
    expectLimited(
      await register(app.ingestKey, 'same-phone', from),
      /registrations of this device id.*DEVICE_REGISTER_DEVICE_PER_HOUR/,
      3600,
    );
    // Another device of the same key is not held back by it.
    await tokenFor(app.ingestKey, 'another-phone', from);

    // 4 so far from this address; 16 more (8 per key, under each key's 12) reach its 20.
    for (let i = 0; i < 8; i++) await tokenFor(app.ingestKey, `a-${i}`, from);
    for (let i = 0; i < 8; i++) await tokenFor(other.ingestKey, `b-${i}`, from);
    expectLimited(
      await register(other.ingestKey, 'b-last', from),
      /device registrations from this address.*DEVICE_REGISTER_IP_RPM/,
      60,
    );
    // The key itself still has room: from another address it registers.
    await tokenFor(other.ingestKey, 'b-last', address());
  });

  it('limits new exports and deletions per device per day; asking again for an open one is free', async () => {
    const app = await newApp();
    const token = await tokenFor(app.ingestKey, 'exporter', address());
    const first = await call('GET', '/v1/privacy/export', token);
    expect(first.statusCode).toBe(202);
    const { request_id: id } = first.json<{ request_id: string }>();
    // The open export is answered again, as often as asked, without a second request.
    for (let i = 0; i < 5; i++) {
      const again = await call('GET', '/v1/privacy/export', token);
      expect(again.statusCode).toBe(202);
      expect(again.json<{ request_id: string }>().request_id).toBe(id);
    }
    const expire = () =>
      deps.prisma.gdprRequest.updateMany({
        where: { appId: app.app.id, kind: 'EXPORT' },
        data: { status: 'COMPLETED', resultExpiresAt: new Date(Date.now() - 1000) },
      });
    await expire();
    const second = await call('GET', '/v1/privacy/export', token);
    expect(second.statusCode).toBe(202);
    await expire();
    expectLimited(
      await call('GET', '/v1/privacy/export', token),
      /export or deletion requests for this device.*PRIVACY_REQUESTS_PER_DAY/,
      86_400,
    );
    // Deletion shares the device's allowance: refused, and the token is not revoked by it.
    expectLimited(await call('DELETE', '/v1/privacy/data', token), /PRIVACY_REQUESTS_PER_DAY/, 86_400);
    expect((await call('GET', '/v1/privacy/settings', token)).statusCode).toBe(200);
    expect(await deps.prisma.gdprRequest.count({ where: { appId: app.app.id } })).toBe(2);

    // Re-registering the same device id does not reset its allowance.
    const fresh = await tokenFor(app.ingestKey, 'exporter', address());
    expectLimited(await call('DELETE', '/v1/privacy/data', fresh), /PRIVACY_REQUESTS_PER_DAY/, 86_400);
  });

  it("limits an app's new exports per hour across its devices", async () => {
    const app = await newApp();
    const from = address();
    for (let i = 0; i < LIMITS.privacyRequestsPerAppPerHour; i++) {
      const res = await call('GET', '/v1/privacy/export', await tokenFor(app.ingestKey, `e-${i}`, from));
      expect(res.statusCode).toBe(202);
    }
    const last = await tokenFor(app.ingestKey, 'e-last', from);
    expectLimited(await call('GET', '/v1/privacy/export', last), /for this app.*PRIVACY_APP_REQUESTS_PER_HOUR/, 3600);
    expect(await deps.prisma.gdprRequest.count({ where: { appId: app.app.id } })).toBe(
      LIMITS.privacyRequestsPerAppPerHour,
    );
  });

  it('limits settings writes per device per minute, and all privacy calls per app per minute', async () => {
    const app = await newApp();
    const from = address();
    const token = await tokenFor(app.ingestKey, 'settings-phone', from);
    for (let i = 0; i < LIMITS.settingsWritesPerDevicePerMinute; i++) {
      const res = await call('PUT', '/v1/privacy/settings', token, { analytics_enabled: i % 2 === 0 });
      expect(res.statusCode).toBe(200);
    }
    expectLimited(
      await call('PUT', '/v1/privacy/settings', token, { opted_out: true }),
      /privacy settings changes for this device.*PRIVACY_SETTINGS_WRITES_PER_MINUTE/,
      60,
    );
    // The refused change was not made; reading still works; another device may still write.
    const read = await call('GET', '/v1/privacy/settings', token);
    expect(read.json<{ opted_out: boolean }>().opted_out).toBe(false);
    const other = await tokenFor(app.ingestKey, 'other-phone', from);
    expect((await call('PUT', '/v1/privacy/settings', other, { opted_out: true })).statusCode).toBe(200);

    // Every privacy call counts against the app's per-minute allowance (7 made so far).
    const statuses: number[] = [];
    let refusal: LightMyRequestResponse | undefined;
    for (let i = 0; i < LIMITS.privacyCallsPerAppPerMinute; i++) {
      const res = await call('GET', '/v1/privacy/settings', i % 2 ? token : other);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) refusal ??= res;
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(LIMITS.privacyCallsPerAppPerMinute);
    expectLimited(refusal!, /privacy requests for this app.*PRIVACY_APP_RPM/, 60);
  });
});

import { createTestApp, createTestOrg, startNginx, type TestNginx } from '@sightline/core/testing';
import type { TrustProxy } from '@sightline/core';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from './auth.ts';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

// TRUST_PROXY behind a real nginx. Every request of this test comes from 127.0.0.1, so distinct
// clients are simulated as an operator's setup produces them: a trusted load balancer
// (198.51.100.1) appended the client it saw, then nginx (127.0.0.1) appended the load balancer.
// Whatever the client itself wrote stays on the left and must never be taken for its address.
const LOAD_BALANCER = '198.51.100.1';
const FORGED = '10.66.66.66';
const via = (client: string) => `${FORGED}, ${client}, ${LOAD_BALANCER}`;

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
const started: Array<{ api: FastifyInstance; nginx: TestNginx }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
});

afterAll(async () => {
  for (const { api, nginx } of started) {
    await nginx.stop();
    await api.close();
  }
  await deps.close();
  await db.drop();
});

/** An api with `trustProxy` and a bad-key limit of 5 per address, and nginx in front of it. */
async function apiBehindNginx(trustProxy: TrustProxy | undefined) {
  const auth = createAuthenticator({
    resolver: deps.resolver,
    redis: deps.redis,
    failuresPerWindow: 5,
    windowSeconds: 60,
    keyPrefix: `test-proxy-auth-${Math.random().toString(36).slice(2)}`,
  });
  const api = await buildServer({ ...deps, auth, ...(trustProxy === undefined ? {} : { trustProxy }) });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.server.address();
  if (address === null || typeof address === 'string') throw new Error('no api port');
  const nginx = await startNginx(address.port);
  started.push({ api, nginx });
  return { nginx: nginx.url, direct: `http://127.0.0.1:${address.port}` };
}

async function freshApp() {
  const org = await createTestOrg(deps.prisma);
  return createTestApp(deps.prisma, org.org.id);
}

const register = (base: string, key: string, appId: string, forwardedFor: string) =>
  fetch(`${base}/v1/devices/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ app_id: appId, device_id: 'd' }),
  });

/** A Sentry SDK's anonymous error (no user): its device stands for the sender's address. */
async function sentryError(base: string, key: string, appId: number, forwardedFor: string, message: string) {
  const res = await fetch(`${base}/api/${appId}/store/?sentry_key=${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({
      platform: 'javascript',
      message,
      exception: { values: [{ type: 'Error', value: message }] },
    }),
  });
  expect(res.status).toBe(200);
}

/** The crash reports buffered for one app, with the country and device they were filed under. */
async function bufferedCrashes(
  appId: number,
): Promise<Array<{ message: string; country: string | null; device: string }>> {
  const entries = await deps.redis.xrange(deps.ingest.buffer.crashStream, '-', '+');
  return entries
    .flatMap(([, fields]) => JSON.parse(fields[1] ?? '[]') as unknown[])
    .map((c) => c as { appId: number; message: string; country: string | null; deviceId: string })
    .filter((c) => c.appId === appId)
    .map((c) => ({ message: c.message, country: c.country, device: c.deviceId }));
}

async function blockWithBadKeys(base: string, appId: string, forwardedFor: string) {
  for (let i = 0; i < 5; i++) {
    expect((await register(base, `pk_guess${i}guessguessguess`, appId, forwardedFor)).status).toBe(401);
  }
  expect((await register(base, 'pk_guess6guessguessguess', appId, forwardedFor)).status).toBe(429);
}

describe('TRUST_PROXY naming nginx and the load balancer', () => {
  it('counts bad keys per real client: one guesser does not block everyone behind the proxy', async () => {
    const { nginx } = await apiBehindNginx(['127.0.0.1', '198.51.100.0/24']);
    const { app, ingestKey } = await freshApp();
    // Both clients write the same forged left-most address; only the right-most untrusted differs.
    await blockWithBadKeys(nginx, app.bundleId, via('203.0.113.7'));
    expect((await register(nginx, ingestKey, app.bundleId, via('203.0.113.7'))).status).toBe(429);
    expect((await register(nginx, ingestKey, app.bundleId, via('203.0.113.8'))).status).toBe(200);
  });

  it("files events under the client's country and gives anonymous Sentry users one device per address", async () => {
    const { nginx } = await apiBehindNginx(['127.0.0.1', '198.51.100.0/24']);
    const { app, ingestKey } = await freshApp();
    await sentryError(nginx, ingestKey, app.id, via('8.8.8.8'), 'us-1');
    await sentryError(nginx, ingestKey, app.id, via('8.8.8.8'), 'us-2');
    await sentryError(nginx, ingestKey, app.id, via('81.2.69.142'), 'gb-1');
    const crashes = await bufferedCrashes(app.id);
    const byMessage = Object.fromEntries(crashes.map((c) => [c.message, c]));
    expect([byMessage['us-1']?.country, byMessage['us-2']?.country, byMessage['gb-1']?.country]).toEqual([
      'US',
      'US',
      'GB',
    ]);
    expect(byMessage['us-1']?.device).toBe(byMessage['us-2']?.device);
    expect(byMessage['gb-1']?.device).not.toBe(byMessage['us-1']?.device);
  });
});

describe('TRUST_PROXY as a hop count', () => {
  // Fastify 5.12 trusts nobody for a bare number; the setting reaches it as a function. Three
  // hops here: nginx (the socket's peer), the address nginx saw (this test, 127.0.0.1) and the
  // load balancer's entry.
  it('names the client that many hops in, whatever it wrote further left', async () => {
    const { nginx } = await apiBehindNginx(3);
    const { app, ingestKey } = await freshApp();
    await blockWithBadKeys(nginx, app.bundleId, via('203.0.113.7'));
    expect((await register(nginx, ingestKey, app.bundleId, via('203.0.113.8'))).status).toBe(200);
    await sentryError(nginx, ingestKey, app.id, via('81.2.69.142'), 'gb-hops');
    expect((await bufferedCrashes(app.id)).map((c) => c.country)).toEqual(['GB']);
  });
});

describe('forged X-Forwarded-For from a peer that is not a trusted proxy', () => {
  it('is ignored when nginx is not in TRUST_PROXY: every client is the proxy', async () => {
    const { nginx } = await apiBehindNginx(['198.51.100.0/24']);
    const { app, ingestKey } = await freshApp();
    await sentryError(nginx, ingestKey, app.id, '8.8.8.8', 'forged');
    expect((await bufferedCrashes(app.id)).map((c) => c.country)).toEqual([null]);
    await blockWithBadKeys(nginx, app.bundleId, via('203.0.113.7'));
    expect((await register(nginx, ingestKey, app.bundleId, via('203.0.113.8'))).status).toBe(429);
  });

  it('is ignored with TRUST_PROXY off: a direct client cannot claim another address', async () => {
    const { direct } = await apiBehindNginx(undefined);
    const { app, ingestKey } = await freshApp();
    await sentryError(direct, ingestKey, app.id, '8.8.8.8', 'forged');
    expect((await bufferedCrashes(app.id)).map((c) => c.country)).toEqual([null]);
    await blockWithBadKeys(direct, app.bundleId, '203.0.113.7');
    expect((await register(direct, ingestKey, app.bundleId, '203.0.113.8')).status).toBe(429);
  });
});

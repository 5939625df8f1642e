import { createTestApiKey, createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let org: Awaited<ReturnType<typeof createTestOrg>>;
let app: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  org = await createTestOrg(deps.prisma);
  app = await createTestApp(deps.prisma, org.org.id);
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

function register(key: string | null, body: unknown, raw?: string) {
  return api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    payload: raw ?? JSON.stringify(body),
  });
}

describe('POST /v1/devices/register', () => {
  it('returns a dt_ token that then authenticates as that device', async () => {
    const res = await register(app.ingestKey, { app_id: app.app.bundleId, device_id: 'sha256-of-android-id' });
    expect(res.statusCode).toBe(200);
    const { token } = res.json<{ token: string }>();
    expect(token).toMatch(/^dt_[A-Za-z0-9]+$/);
    expect(await deps.resolver.resolve(token)).toMatchObject({ kind: 'device_token', appId: app.app.id, orgId: org.org.id });
  });

  it('answers 401 without a key or with an unknown one', async () => {
    expect((await register(null, { app_id: app.app.bundleId, device_id: 'd' })).statusCode).toBe(401);
    const res = await register('pk_unknownUnknownUnknown', { app_id: app.app.bundleId, device_id: 'd' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'unknown or revoked credential' } });
  });

  it("answers 404 for another app's id, whichever org it is in", async () => {
    const other = await createTestOrg(deps.prisma);
    const foreign = await createTestApp(deps.prisma, other.org.id);
    const res = await register(app.ingestKey, { app_id: foreign.app.bundleId, device_id: 'd' });
    expect(res.statusCode).toBe(404);
    expect((await register(app.ingestKey, { app_id: foreign.app.id, device_id: 'd' })).statusCode).toBe(404);
    expect(await deps.prisma.device.count({ where: { appId: foreign.app.id } })).toBe(0);
  });

  it('answers 400 naming the problem for bad bodies, never 500', async () => {
    const missing = await register(app.ingestKey, { app_id: app.app.bundleId });
    // The key names the app; app_id may be left out, but device_id may not.
    expect((await register(app.ingestKey, {})).json()).toMatchObject({ error: { issues: [{ path: 'device_id' }] } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { code: 'BAD_REQUEST', issues: [{ path: 'device_id' }] } });
    expect((await register(app.ingestKey, null, '{"app_id": ')).statusCode).toBe(400);
    expect((await register(app.ingestKey, { app_id: [], device_id: {} })).statusCode).toBe(400);
    expect((await register(app.ingestKey, { app_id: app.app.bundleId, device_id: 'x'.repeat(10_000) })).statusCode).toBe(400);
  });

  it('refuses secret keys (403) and keys of a suspended organization (403, with the reason)', async () => {
    const secret = await createTestApiKey(deps.prisma, org.org.id, ['ingest']);
    expect((await register(secret.secret, { app_id: app.app.bundleId, device_id: 'd' })).statusCode).toBe(403);

    const suspended = await createTestOrg(deps.prisma);
    const suspendedApp = await createTestApp(deps.prisma, suspended.org.id);
    await deps.prisma.organization.update({ where: { id: suspended.org.id }, data: { suspended: true } });
    await deps.resolver.invalidateOrg(suspended.org.id);
    const res = await register(suspendedApp.ingestKey, { app_id: suspendedApp.app.bundleId, device_id: 'd' });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/suspended/);
  });
});

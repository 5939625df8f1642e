import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

// The CORS policy as a browser meets it: a page on another site may call what the SDKs call
// (ingestion, device registration, the device's privacy routes), never with credentials and
// only from the app's allowed origins once the key names the app; the session and secret-key
// routes (GraphQL, tRPC, REST queries) answer no other origin unless the operator lists it.

const EVIL = 'https://evil.example';
const CONSOLE = 'https://console.example';

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let closed: FastifyInstance;
let listed: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  closed = await buildServer(deps);
  listed = await buildServer({ ...deps, corsAllowedOrigins: [CONSOLE] });
});

afterAll(async () => {
  await closed?.close();
  await listed?.close();
  await deps?.close();
  await db?.drop();
});

const preflight = (api: FastifyInstance, url: string, origin: string, method = 'POST', headers = 'content-type') =>
  api.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

const SESSION_ROUTES = [
  ['/graphql', 'POST', 'content-type,x-sightline-org'],
  ['/trpc/apps.list', 'GET', 'content-type'],
  ['/v1/apps/1/analytics/overview', 'GET', 'authorization'],
] as const;

describe('CORS on the session and secret-key routes', () => {
  it.each(SESSION_ROUTES)(
    '%s answers another origin no CORS header and no credentials',
    async (url, method, headers) => {
      const res = await preflight(closed, url, EVIL, method, headers);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      // Nor does the actual request hand its answer to that page.
      const get = await closed.inject({ method: 'GET', url, headers: { origin: EVIL } });
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
      expect(get.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  it.each(SESSION_ROUTES)(
    '%s answers an origin in CORS_ALLOWED_ORIGINS, and only that one',
    async (url, method, headers) => {
      const res = await preflight(listed, url, CONSOLE, method, headers);
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(CONSOLE);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-methods']).toContain(method);
      expect(res.headers.vary).toMatch(/Origin/i);
      // The answer itself too (with yoga's own CORS off, only the policy's headers are on it).
      const get = await listed.inject({ method: 'GET', url, headers: { origin: CONSOLE } });
      expect(get.headers['access-control-allow-origin']).toBe(CONSOLE);
      expect(get.headers['access-control-allow-credentials']).toBe('true');
      const other = await preflight(listed, url, EVIL, method, headers);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );
});

describe('CORS on the device routes', () => {
  it.each([
    ['/v1/privacy/settings', 'GET'],
    ['/v1/privacy/settings', 'PUT'],
    ['/v1/privacy/export', 'GET'],
    ['/v1/privacy/data', 'DELETE'],
    ['/v1/devices/register', 'POST'],
    ['/v1/telemetry/events', 'POST'],
  ])('%s lets a page on any origin %s, without credentials', async (url, method) => {
    const res = await preflight(closed, url, EVIL, method, 'authorization,content-type');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(res.headers['access-control-allow-methods']).split(/,\s*/)).toContain(method);
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toMatch(/authorization.*content-type/);
  });

  it('opens each device route for its own methods only', async () => {
    const res = await preflight(closed, '/v1/privacy/data', EVIL, 'DELETE');
    expect(res.headers['access-control-allow-methods']).toBe('DELETE');
    const settings = await preflight(closed, '/v1/privacy/settings', EVIL, 'PUT');
    expect(settings.headers['access-control-allow-methods']).toBe('GET, PUT');
    // The signed links an export or deletion answer hands the page can be read by it.
    const link = await closed.inject({
      method: 'GET',
      url: '/v1/privacy/requests/00000000-0000-4000-8000-000000000000?sig=x',
      headers: { origin: EVIL },
    });
    expect(link.statusCode).toBe(404);
    expect(link.headers['access-control-allow-origin']).toBe('*');
  });

  it("refuses a device's privacy calls and registration from outside the app's allowed origins (403)", async () => {
    const org = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.org.id);
    const shop = 'https://shop.example';
    await deps.prisma.app.update({ where: { id: app.app.id }, data: { allowedOrigins: [shop] } });
    const register = (origin: string) =>
      closed.inject({
        method: 'POST',
        url: '/v1/devices/register',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${app.ingestKey}` },
        payload: JSON.stringify({ device_id: 'browser-1' }),
      });
    const refused = await register(EVIL);
    expect(refused.statusCode).toBe(403);
    // The browser may read the refusal (CORS headers on it too).
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    const registered = await register(shop);
    expect(registered.statusCode).toBe(200);
    const { token } = registered.json<{ token: string }>();

    const settings = (origin: string) =>
      closed.inject({
        method: 'PUT',
        url: '/v1/privacy/settings',
        headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: JSON.stringify({ analytics_enabled: true }),
      });
    const foreign = await settings(EVIL);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json<{ error: { message: string } }>().error.message).toContain(EVIL);
    expect((await settings(shop)).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', '/v1/privacy/settings'],
      ['GET', '/v1/privacy/export'],
      ['DELETE', '/v1/privacy/data'],
    ] as const) {
      const res = await closed.inject({ method, url, headers: { origin: EVIL, authorization: `Bearer ${token}` } });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    // Nothing was requested on the foreign page's behalf.
    expect(await deps.prisma.gdprRequest.count({ where: { appId: app.app.id } })).toBe(0);
  });
});

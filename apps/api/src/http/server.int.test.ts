import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { createTestServerDeps, operatorHeaders } from './testing.ts';

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  app = await buildServer(deps);
});

afterAll(async () => {
  await app.close();
  await deps.close();
  await db.drop();
});

describe('api health', () => {
  it('answers /healthz while the process is up', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    // A fresh id when the client sent none.
    expect(res.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('reports ready when PostgreSQL and Redis answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('reports 503 naming the dependency that is down', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => undefined);
    const degraded = await buildServer({ ...deps, redis: deadRedis });
    try {
      const res = await degraded.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      const body = res.json<{ status: string; checks: { postgres: string; redis: string } }>();
      expect(body.status).toBe('unavailable');
      expect(body.checks.postgres).toBe('ok');
      expect(body.checks.redis).not.toBe('ok');
    } finally {
      await degraded.close();
      deadRedis.disconnect();
    }
  });

  it('answers unknown routes and malformed bodies with a JSON 4xx, never a 500', async () => {
    const missing = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /nope', issues: [] } });
  });
});

describe('operator endpoints on the public port', () => {
  it('answers /metrics and /readyz?detail=1 only with the METRICS_TOKEN bearer; plain /readyz stays public', async () => {
    for (const url of ['/metrics', '/readyz?detail=1']) {
      const anonymous = await app.inject({ method: 'GET', url });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(anonymous.body).not.toMatch(/sightline_|backlog/);
      const wrong = await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer not-the-token-at-all' } });
      expect(wrong.statusCode).toBe(401);
      const operator = await app.inject({ method: 'GET', url, headers: operatorHeaders });
      expect(operator.statusCode).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: operatorHeaders })).body).toMatch(
      /sightline_http_request_duration_seconds/,
    );
    expect(
      (await app.inject({ method: 'GET', url: '/readyz?detail=1', headers: operatorHeaders })).json(),
    ).toHaveProperty('ingest.backlog');
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('has no /metrics or readiness detail at all when no METRICS_TOKEN is set', async () => {
    const tokenless = await buildServer({ ...deps, metricsToken: undefined });
    try {
      for (const url of ['/metrics', '/readyz?detail=1']) {
        const res = await tokenless.inject({ method: 'GET', url, headers: operatorHeaders });
        expect(res.statusCode).toBe(404);
      }
      expect((await tokenless.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
        status: 'ready',
        checks: { postgres: 'ok', redis: 'ok' },
      });
    } finally {
      await tokenless.close();
    }
  });
});

describe('tRPC batching', () => {
  it('answers a batch of ten procedures in one request (their names make one long path segment)', async () => {
    const procedures = Array.from({ length: 10 }, (_, i) => (i % 2 ? 'analytics.overview' : 'analytics.versions'));
    const input = Object.fromEntries(procedures.map((_, i) => [i, { json: { orgId: 'x', appId: 1 } }]));
    const res = await app.inject({
      method: 'GET',
      url: `/trpc/${procedures.join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`,
    });
    // Not signed in: ten tRPC errors, one per call — not a 414 for the path.
    expect(res.statusCode).toBe(401);
    const body = res.json<Array<{ error: { json: { data: { code: string } } } }>>();
    expect(body).toHaveLength(10);
    expect(body.every((r) => r.error.json.data.code === 'UNAUTHORIZED')).toBe(true);
  });

  it('refuses a batch of more than 20 procedures with 400, running none of them', async () => {
    const procedures = Array.from({ length: 200 }, () => 'orgs.list');
    const res = await app.inject({
      method: 'GET',
      url: `/trpc/${procedures.join(',')}?batch=1&input=${encodeURIComponent('{}')}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/batch call exceeds maximum size/i);
    const twenty = await app.inject({
      method: 'GET',
      url: `/trpc/${procedures.slice(0, 20).join(',')}?batch=1&input={}`,
    });
    expect(twenty.statusCode).toBe(401);
  });
});

import { gzipSync } from 'node:zlib';
import type { CredentialResolver } from '@sightline/core';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from './auth.ts';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

// The answers a client gets from the body limits: which limit, and when to come back.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let app: FastifyInstance;
let tight: FastifyInstance;
let pk = '';
let appId = 0;
let lookups = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  const { org } = await createTestOrg(deps.prisma);
  const created = await createTestApp(deps.prisma, org.id);
  pk = created.ingestKey;
  appId = created.app.id;
  const resolver: CredentialResolver = {
    resolve: (credential) => {
      lookups++;
      return deps.resolver.resolve(credential);
    },
    invalidate: (hash) => deps.resolver.invalidate(hash),
    invalidateOrg: (orgId) => deps.resolver.invalidateOrg(orgId),
    ready: deps.resolver.ready,
  };
  const auth = createAuthenticator({ resolver, redis: deps.redis, keyPrefix: `${deps.namespace}:auth-fail-counted` });
  app = await buildServer({ ...deps, resolver, auth });
  // A budget smaller than one large body: that body must wait its turn (503), not crash.
  tight = await buildServer({ ...deps, ingest: { ...deps.ingest, maxInflightBytes: 256 * 1024 } });
});

afterAll(async () => {
  await app.close();
  await tight.close();
  await deps.close();
  await db.drop();
});

const batch = (events: number, pad = 0) =>
  JSON.stringify({
    device_id: 'd1',
    events: Array.from({ length: events }, (_, i) => ({
      type: 'screen_view',
      timestamp: Date.now() - i,
      data: { screen_name: `s${i}`, pad: 'p'.repeat(pad) },
    })),
  });

describe('body limits', () => {
  it('refuses a gzip bomb with 413 naming the route limit, after the credential', async () => {
    const bomb = gzipSync(Buffer.from(`{"a":"${'a'.repeat(3 * 1024 * 1024)}"}`));
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const anonymous = await app.inject({ method: 'POST', url: '/v1/telemetry/events', headers, payload: bomb });
    expect(anonymous.statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/events',
      headers: { ...headers, authorization: `Bearer ${pk}` },
      payload: bomb,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toContain('over 1 MB');
    const store = await app.inject({
      method: 'POST',
      url: `/api/${appId}/store/?sentry_key=${pk}`,
      headers,
      payload: bomb,
    });
    expect(store.statusCode).toBe(413);
  });

  it('refuses a dense body by its JSON values before parsing it', async () => {
    const dense = `[${'{},'.repeat(150_000)}{}]`;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry/events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${pk}` },
      payload: dense,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toContain('100000 JSON values');
  });

  it('counts the values of all JSON items of an envelope together', async () => {
    // Ten events each under the cap, together over it: the crash reports built from them
    // would all be held until the append.
    const item = `{"type":"event"}\n{"message":"m","extra":{"a":[${'{},'.repeat(15_000)}{}]}}\n`;
    const envelope = `{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n${item.repeat(10)}`;
    const res = await app.inject({
      method: 'POST',
      url: `/api/${appId}/envelope/?sentry_key=${pk}`,
      headers: { 'content-type': 'application/x-sentry-envelope' },
      payload: envelope,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toContain('100000 JSON values');
  });

  it('keeps other routes small (64 KB)', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `/v1/apps/${appId}/crashes/abc`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'x'.repeat(100 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toContain('over 64 KB');
  });

  it('answers 503 with Retry-After past the process-wide budget, and takes small bodies still', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${pk}` };
    const big = await tight.inject({ method: 'POST', url: '/v1/telemetry/events', headers, payload: batch(50, 2000) });
    expect(big.statusCode).toBe(503);
    expect(big.headers['retry-after']).toBe('1');
    const small = await tight.inject({ method: 'POST', url: '/v1/telemetry/events', headers, payload: batch(2) });
    expect(small.statusCode).toBe(202);
    // Small bodies skip the value scan and are charged as the densest JSON: 12 KB of `{},`
    // would take ~270 KB of heap once parsed, more than this budget.
    const dense = await tight.inject({
      method: 'POST',
      url: '/v1/telemetry/events',
      headers,
      payload: `[${'{},'.repeat(4000)}{}]`,
    });
    expect(dense.statusCode).toBe(503);
  });

  it('looks the key up before the body is parsed, and only once: the handler reuses it', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${pk}` };
    let before = lookups;
    const broken = await app.inject({ method: 'POST', url: '/v1/telemetry/events', headers, payload: '{"events":[' });
    expect(broken.statusCode).toBe(400);
    expect(lookups - before).toBe(1);
    before = lookups;
    const res = await app.inject({ method: 'POST', url: '/v1/telemetry/events', headers, payload: batch(3) });
    expect(res.statusCode).toBe(202);
    expect(lookups - before).toBe(1);
  });
});

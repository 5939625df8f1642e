import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from './auth.ts';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  const auth = createAuthenticator({
    resolver: deps.resolver,
    redis: deps.redis,
    failuresPerWindow: 5,
    windowSeconds: 60,
    keyPrefix: `test-auth-${Date.now()}-${Math.random()}`,
  });
  api = await buildServer({ ...deps, auth });
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

function register(key: string, remoteAddress: string, appId: string) {
  return api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    remoteAddress,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: { app_id: appId, device_id: 'd' },
  });
}

describe('key guessing', () => {
  it('refuses an address with 429 and Retry-After once it has sent too many unknown keys', async () => {
    const org = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.org.id);
    for (let i = 0; i < 5; i++) {
      expect((await register(`pk_guess${i}guessguessguess`, '10.9.9.9', app.app.bundleId)).statusCode).toBe(401);
    }
    const blocked = await register('pk_guess6guessguessguess', '10.9.9.9', app.app.bundleId);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Even a valid key is refused from that address for now; other addresses are unaffected.
    expect((await register(app.ingestKey, '10.9.9.9', app.app.bundleId)).statusCode).toBe(429);
    expect((await register(app.ingestKey, '10.1.1.1', app.app.bundleId)).statusCode).toBe(200);
  });
});

import { createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { FORWARDED_IP_HEADER, FORWARDED_SIGNATURE_HEADER, signForwardedIp } from './session.ts';
import { createTestServerDeps } from './testing.ts';

// The portal's sign-in form, as the api sees it: the browser's address arrives signed by the portal.

const PASSWORD = 'correct horse battery staple'; // what createTestOrg gives the owner
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

function signIn(email: string, password: string, ip: string) {
  return api.inject({
    method: 'POST',
    url: '/trpc/auth.signIn',
    headers: {
      'content-type': 'application/json',
      [FORWARDED_IP_HEADER]: ip,
      [FORWARDED_SIGNATURE_HEADER]: signForwardedIp(deps.secret, ip),
    },
    payload: { json: { email, password } },
  });
}

describe('sign-in throttling', () => {
  it('slows an attacker’s address with 429 and Retry-After, while the owner signs in from their own', async () => {
    const { owner } = await createTestOrg(deps.prisma);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await signIn(owner.email, `guess ${i} of many`, '198.51.100.66')).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
    const slowed = await signIn(owner.email, PASSWORD, '198.51.100.66');
    expect(slowed.statusCode).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);

    const owners = await signIn(owner.email, PASSWORD, '203.0.113.7');
    expect(owners.statusCode).toBe(200);
    expect(owners.json<{ result: { data: { json: { id: string } } } }>().result.data.json.id).toBe(owner.id);
  });
});

import { createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { clientAddressSignature } from '@sightline/core/secrets';
import { clientIp } from './session.ts';
import { portalSessionCookie, SESSION_COOKIE } from './session-testing.ts';
import { createTestServerDeps } from './testing.ts';

// The api reads the portal's next-auth session cookie itself: these are the cookies a browser
// would carry, made the way next-auth makes them.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let mine: Awaited<ReturnType<typeof createTestOrg>>;
let theirs: Awaited<ReturnType<typeof createTestOrg>>;

const COOKIE = SESSION_COOKIE;

const sessionCookie = (sub: string, options: { secret?: string; maxAge?: number } = {}) =>
  portalSessionCookie(deps.secret, sub, {
    ...(options.secret ? { sealWith: options.secret } : {}),
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
  });

async function me(cookie: string | null) {
  const res = await api.inject({ method: 'GET', url: '/trpc/auth.me', headers: cookie ? { cookie } : {} });
  return {
    status: res.statusCode,
    body: res.json<{
      result?: { data: { json: { user: { email: string } } } };
      error?: { json: { message: string } };
    }>(),
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  mine = await createTestOrg(deps.prisma, { name: 'Mine' });
  theirs = await createTestOrg(deps.prisma, { name: 'Theirs' });
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

describe('portal session', () => {
  it('signs the user in on tRPC from the next-auth cookie', async () => {
    const res = await me(await sessionCookie(mine.owner.id));
    expect(res.status).toBe(200);
    expect(res.body.result?.data.json.user.email).toBe(mine.owner.email);
  });

  it('refuses no cookie, a cookie sealed with another secret, and an expired one', async () => {
    expect((await me(null)).status).toBe(401);
    expect((await me(await sessionCookie(mine.owner.id, { secret: 'x'.repeat(43) }))).status).toBe(401);
    expect((await me(await sessionCookie(mine.owner.id, { maxAge: -60 }))).status).toBe(401);
    expect((await me(`${COOKIE}=not-a-jwt`)).status).toBe(401);
  });

  it('lets a session use GraphQL in an org it belongs to, named by X-Sightline-Org', async () => {
    const cookie = await sessionCookie(mine.owner.id);
    const query = (org?: string) =>
      api.inject({
        method: 'POST',
        url: '/graphql',
        headers: { cookie, 'content-type': 'application/json', ...(org ? { 'x-sightline-org': org } : {}) },
        payload: { query: '{ organization { name } }' },
      });
    expect((await query(mine.org.id)).json()).toEqual({ data: { organization: { name: 'Mine' } } });
    const missing = await query();
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ error: { message: string } }>().error.message).toMatch(/X-Sightline-Org/);
    const foreign = await query(theirs.org.id);
    expect(foreign.statusCode).toBe(404);
  });
});

describe('forwarded client address', () => {
  const request = (headers: Record<string, string>) => ({ headers, ip: '10.0.0.1' }) as unknown as FastifyRequest;

  it('believes the portal only when the address is signed with the shared secret', () => {
    const ip = '203.0.113.9';
    expect(
      clientIp(
        request({ 'x-sightline-client-ip': ip, 'x-sightline-client-ip-signature': clientAddressSignature(deps.secret, ip) }),
        deps.secret,
      ),
    ).toBe(ip);
    expect(
      clientIp(
        request({
          'x-sightline-client-ip': ip,
          'x-sightline-client-ip-signature': clientAddressSignature('other-secret', ip),
        }),
        deps.secret,
      ),
    ).toBe('10.0.0.1');
    expect(clientIp(request({ 'x-sightline-client-ip': ip }), deps.secret)).toBe('10.0.0.1');
  });
});

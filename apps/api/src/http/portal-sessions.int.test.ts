import { hashKey } from '@sightline/core';
import { createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_SIGNATURE_HEADER,
  clientAddressSignature,
} from '@sightline/core/secrets';
import { portalSessionCookie } from './session-testing.ts';
import { createTestServerDeps } from './testing.ts';

// A portal session ends for good when its user resets or changes the password or signs out
// everywhere: the very next tRPC or GraphQL request with the old cookie is a stranger's.
// Sign-in attempts arrive as the portal sends them, with the browser's address signed.

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

async function mutate(path: string, input: unknown, cookie?: string, ip = '192.0.2.1') {
  const res = await api.inject({
    method: 'POST',
    url: `/trpc/${path}`,
    headers: {
      'content-type': 'application/json',
      [CLIENT_ADDRESS_HEADER]: ip,
      [CLIENT_ADDRESS_SIGNATURE_HEADER]: clientAddressSignature(deps.secret, ip),
      ...(cookie ? { cookie } : {}),
    },
    payload: { json: input },
  });
  return {
    status: res.statusCode,
    retryAfter: res.headers['retry-after'],
    body: res.json<{
      result?: { data: { json: { id?: string; sessionVersion?: number } } };
      error?: { json: { message: string } };
    }>(),
  };
}

/** Signs in as the portal does: the api checks the password, next-auth seals the cookie. */
async function signIn(email: string, password = PASSWORD): Promise<string> {
  const res = await mutate('auth.signIn', { email, password });
  expect(res.status).toBe(200);
  const user = res.body.result!.data.json as { id: string; sessionVersion: number };
  return portalSessionCookie(deps.secret, user.id, { sessionVersion: user.sessionVersion });
}

/** The status of the same signed-in read over tRPC and over GraphQL. */
async function reads(cookie: string, orgId: string): Promise<[number, number]> {
  const trpc = await api.inject({ method: 'GET', url: '/trpc/auth.me', headers: { cookie } });
  const graphql = await api.inject({
    method: 'POST',
    url: '/graphql',
    headers: { cookie, 'content-type': 'application/json', 'x-sightline-org': orgId },
    payload: { query: '{ organization { name } }' },
  });
  return [trpc.statusCode, graphql.statusCode];
}

describe('sessions that end', () => {
  it('a password reset ends the sessions made before it', async () => {
    const { org, owner } = await createTestOrg(deps.prisma);
    const squatter = await signIn(owner.email);
    expect(await reads(squatter, org.id)).toEqual([200, 200]);

    const token = 'reset-token-from-the-email-'.padEnd(43, 'x');
    await deps.prisma.passwordResetToken.create({
      data: { userId: owner.id, tokenHash: hashKey(token), expiresAt: new Date(Date.now() + 60_000) },
    });
    expect((await mutate('auth.resetPassword', { token, password: 'a brand new passphrase' })).status).toBe(200);

    expect(await reads(squatter, org.id)).toEqual([401, 401]);
    expect(await reads(await signIn(owner.email, 'a brand new passphrase'), org.id)).toEqual([200, 200]);
  });

  it('a password change needs the current password and ends every session, the caller’s too', async () => {
    const { org, owner } = await createTestOrg(deps.prisma);
    const here = await signIn(owner.email);
    const elsewhere = await signIn(owner.email);

    const wrong = await mutate(
      'auth.changePassword',
      { currentPassword: 'guess', newPassword: 'another long passphrase' },
      here,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.json.message).toMatch(/current password is wrong/);
    expect(await reads(elsewhere, org.id)).toEqual([200, 200]);

    const changed = await mutate(
      'auth.changePassword',
      { currentPassword: PASSWORD, newPassword: 'another long passphrase' },
      here,
    );
    expect(changed.status).toBe(200);
    expect(await reads(here, org.id)).toEqual([401, 401]);
    expect(await reads(elsewhere, org.id)).toEqual([401, 401]);
    expect((await mutate('auth.signIn', { email: owner.email, password: PASSWORD })).status).toBe(401);
    expect(await reads(await signIn(owner.email, 'another long passphrase'), org.id)).toEqual([200, 200]);
  });

  it('sign out everywhere ends every session, including one sealed before session versions existed', async () => {
    const { org, owner } = await createTestOrg(deps.prisma);
    const laptop = await signIn(owner.email);
    const phone = await signIn(owner.email);
    const legacy = await portalSessionCookie(deps.secret, owner.id);
    expect(await reads(legacy, org.id)).toEqual([200, 200]);

    expect((await mutate('auth.signOutEverywhere', null, phone)).status).toBe(200);
    for (const cookie of [laptop, phone, legacy]) expect(await reads(cookie, org.id)).toEqual([401, 401]);
    const audit = await deps.prisma.auditLog.findMany({
      where: { orgId: org.id, action: 'user.signed_out_everywhere' },
    });
    expect(audit).toHaveLength(1);
  });

  it('a session of a user that no longer exists, or with a malformed user id, is no session', async () => {
    const { org } = await createTestOrg(deps.prisma);
    expect(await reads(await portalSessionCookie(deps.secret, '00000000-0000-4000-8000-000000000000'), org.id)).toEqual(
      [401, 401],
    );
    expect(await reads(await portalSessionCookie(deps.secret, 'not-a-uuid'), org.id)).toEqual([401, 401]);
  });
});

describe('sign-in throttling', () => {
  it('slows an attacker’s address with 429 and Retry-After, while the owner signs in from their own', async () => {
    const { owner } = await createTestOrg(deps.prisma);
    const guess = (password: string) =>
      mutate('auth.signIn', { email: owner.email, password }, undefined, '198.51.100.66');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await guess(`guess ${i} of many`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
    const slowed = await guess(PASSWORD);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.retryAfter)).toBeGreaterThan(0);

    const owners = await mutate('auth.signIn', { email: owner.email, password: PASSWORD }, undefined, '203.0.113.7');
    expect(owners.status).toBe(200);
    expect(owners.body.result?.data.json.id).toBe(owner.id);
  });
});

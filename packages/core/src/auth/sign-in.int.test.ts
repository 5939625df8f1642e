import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createOrganization } from '../tenancy/organizations.ts';
import { createTestOrg } from '../testing/index.ts';
import { createSignInGuard, signInDelaySeconds, type SignInLimits } from './sign-in.ts';

const PASSWORD = 'correct horse battery staple'; // what createTestOrg gives the owner
let db: TestDatabase;
let prisma: PrismaClient;
let redis: Redis;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  await prisma.$disconnect();
  redis.disconnect();
  await db.drop();
});

/** A guard whose counters no other test (or earlier run) shares. */
const guard = (options: Omit<SignInLimits, 'keyPrefix'> = {}) =>
  createSignInGuard(redis, { ...options, keyPrefix: `test-sign-in-${Math.random().toString(36).slice(2)}` });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('sign-in guard', () => {
  it('signs in with the right password in any email case and audits it in each of the user’s orgs', async () => {
    const { org, owner } = await createTestOrg(prisma);
    const second = await createOrganization(prisma, {
      name: 'Second',
      ownerEmail: owner.email,
      ownerPassword: PASSWORD,
    });
    const user = await guard().authenticate(prisma, {
      email: ` ${owner.email.toUpperCase()} `,
      password: PASSWORD,
      ip: '203.0.113.1',
    });
    expect(user).toEqual({ id: owner.id, email: owner.email, name: null, emailVerified: null, sessionVersion: 0 });
    const audit = await prisma.auditLog.findMany({ where: { action: 'user.signed_in', actorId: owner.id } });
    expect(audit.map((a) => a.orgId).sort()).toEqual([org.id, second.org.id].sort());
    expect(audit.every((a) => a.actorType === 'USER')).toBe(true);
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const { owner } = await createTestOrg(prisma);
    const g = guard();
    const wrong = await failure(
      g.authenticate(prisma, { email: owner.email, password: 'not it at all', ip: '1.1.1.1' }),
    );
    const unknown = await failure(
      g.authenticate(prisma, { email: 'nobody@example.test', password: PASSWORD, ip: '1.1.1.1' }),
    );
    expect([wrong.code, wrong.message]).toEqual(['UNAUTHORIZED', 'wrong email or password']);
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
  });

  it('slows the address that keeps guessing, with growing delays, and never the owner’s own address', async () => {
    const { owner } = await createTestOrg(prisma);
    const g = guard();
    const attacker = '198.51.100.66';
    const attempt = (password: string, ip: string) => g.authenticate(prisma, { email: owner.email, password, ip });
    for (let i = 0; i < 5; i++)
      expect((await failure(attempt(`guess number ${i}`, attacker))).code).toBe('UNAUTHORIZED');
    // From now on the attacker's address waits before each guess, even a right one.
    for (const password of ['guess number 6', PASSWORD]) {
      const slowed = await failure(attempt(password, attacker));
      expect(slowed.code).toBe('RATE_LIMITED');
      expect(slowed.message).toMatch(/too many sign-in attempts; try again in \d+ minutes?/);
      expect(slowed.retryAfter).toBeGreaterThan(0);
    }
    // The owner, from their own address, is not kept out by someone else's failures.
    await expect(attempt(PASSWORD, '203.0.113.50')).resolves.toMatchObject({ id: owner.id });
  });

  it('doubles the wait with each further failure, up to a cap', () => {
    const limits = { freeFailures: 5, baseDelaySeconds: 30, maxDelaySeconds: 3600 };
    expect([4, 5, 6, 7, 8, 20].map((n) => signInDelaySeconds(n, limits))).toEqual([0, 30, 60, 120, 240, 3600]);
  });

  it('against guessing from many addresses, refuses new addresses but not ones the owner signed in from', async () => {
    const { owner } = await createTestOrg(prisma);
    const g = guard({ perAccountPerHour: 3 });
    const home = '203.0.113.10';
    await g.authenticate(prisma, { email: owner.email, password: PASSWORD, ip: home });
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect((await failure(g.authenticate(prisma, { email: owner.email, password: 'wrong guess!', ip }))).code).toBe(
        'UNAUTHORIZED',
      );
    const fresh = await failure(g.authenticate(prisma, { email: owner.email, password: PASSWORD, ip: '10.0.0.4' }));
    expect(fresh.code).toBe('RATE_LIMITED');
    expect(fresh.retryAfter).toBeGreaterThan(60);
    await expect(g.authenticate(prisma, { email: owner.email, password: PASSWORD, ip: home })).resolves.toMatchObject({
      id: owner.id,
    });
  });

  it('forgets an address’s earlier failures after it signs in', async () => {
    const { owner } = await createTestOrg(prisma);
    const g = guard({ freeFailures: 2 });
    const attempt = (password: string) => g.authenticate(prisma, { email: owner.email, password, ip: '10.1.0.1' });
    await failure(attempt('wrong guess!'));
    await attempt(PASSWORD);
    await failure(attempt('wrong guess!'));
    await expect(attempt(PASSWORD)).resolves.toMatchObject({ id: owner.id });
  });

  it('limits attempts per address, whatever the accounts', async () => {
    const g = guard({ perIpPerMinute: 3 });
    const ip = '198.51.100.7';
    for (let i = 0; i < 3; i++)
      expect((await failure(g.authenticate(prisma, { email: `probe${i}@example.test`, password: 'x', ip }))).code).toBe(
        'UNAUTHORIZED',
      );
    const limited = await failure(g.authenticate(prisma, { email: 'probe9@example.test', password: 'x', ip }));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfter).toBeLessThanOrEqual(60);
    // Another address is not affected.
    const other = await failure(
      g.authenticate(prisma, { email: 'probe9@example.test', password: 'x', ip: '192.0.2.1' }),
    );
    expect(other.code).toBe('UNAUTHORIZED');
  });
});

import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createOrganization } from '../tenancy/organizations.ts';
import { createTestOrg } from '../testing/index.ts';
import { createSignInGuard } from './sign-in.ts';

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
const guard = (options: { perIpPerMinute?: number; perAccountPerHour?: number } = {}) =>
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
    expect(user).toEqual({ id: owner.id, email: owner.email, name: null, emailVerified: null });
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

  it('locks an account after N failures even when they come from different addresses', async () => {
    const { owner } = await createTestOrg(prisma);
    const g = guard({ perAccountPerHour: 3 });
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect((await failure(g.authenticate(prisma, { email: owner.email, password: 'wrong guess!', ip }))).code).toBe(
        'UNAUTHORIZED',
      );
    // Locked now: even the right password is refused, with a time to come back.
    const locked = await failure(g.authenticate(prisma, { email: owner.email, password: PASSWORD, ip: '10.0.0.4' }));
    expect(locked.code).toBe('RATE_LIMITED');
    expect(locked.message).toMatch(/too many sign-in attempts; try again in \d+ minutes?/);
    expect(locked.retryAfter).toBeGreaterThan(60);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const { owner } = await createTestOrg(prisma);
    const g = guard({ perAccountPerHour: 2 });
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

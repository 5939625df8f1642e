import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignupMode } from '../config/env.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { acceptInvitationAsNewUser } from '../tenancy/invitations.ts';
import { inviteMember, requireMembership } from '../tenancy/members.ts';
import { createTestOrg } from '../testing/index.ts';
import { createUserAccount, setUserPassword } from './operator-accounts.ts';
import { createSignInGuard } from './sign-in.ts';
import { signUp } from './sign-up.ts';

// Every case that depends on "no user exists yet" gets a database of its own.
const open: Array<{ db: TestDatabase; prisma: PrismaClient }> = [];
async function emptyInstallation(): Promise<PrismaClient> {
  const db = await createTestDatabase('sightline_signup');
  const prisma = createPrismaClient({ connectionString: db.url, max: 8 });
  open.push({ db, prisma });
  return prisma;
}

let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});
afterEach(async () => {
  for (const { db, prisma } of open.splice(0)) {
    await prisma.$disconnect();
    await db.drop();
  }
});
afterAll(() => redis.disconnect());

const mailer: Mailer = { send: () => Promise.resolve() };
const WEB = 'https://portal.example.test';
const PASSWORD = 'a long and unusual passphrase';
const email = (): string => `user-${Math.random().toString(36).slice(2)}@example.test`;
const form = (address = email()) => ({
  name: 'Ada',
  email: address,
  password: PASSWORD,
  organization: `Org ${address}`,
});
const signUpAs = (prisma: PrismaClient, mode: SignupMode, address?: string) =>
  signUp(prisma, mailer, WEB, form(address), { signupMode: mode });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
}

const admins = (prisma: PrismaClient) =>
  prisma.user.findMany({ where: { isPlatformAdmin: true }, select: { email: true } });

/** An organization (made by the operator) inviting a new address; returns the invitation token. */
async function invitation(prisma: PrismaClient, address: string): Promise<string> {
  const { org, owner } = await createTestOrg(prisma);
  const actor = await requireMembership(prisma, owner.id, org.id);
  return (await inviteMember(prisma, actor, { email: address, role: 'MEMBER' })).token;
}

describe('SIGNUP modes and the first platform admin', () => {
  it('open: the first account on an empty installation becomes platform admin, the second does not', async () => {
    const prisma = await emptyInstallation();
    const first = await signUpAs(prisma, 'open');
    expect(first.platformAdmin).toBe(true);
    const second = await signUpAs(prisma, 'open');
    expect(second.platformAdmin).toBe(false);
    expect(await prisma.user.count()).toBe(2);
    expect(await admins(prisma)).toHaveLength(1);
    const audit = await prisma.auditLog.findMany({ where: { orgId: first.orgId }, select: { action: true } });
    expect(audit.map((a) => a.action)).toContain('user.platform_admin_granted');
  });

  it('concurrent first sign-ups on an empty installation make exactly one platform admin', async () => {
    const prisma = await emptyInstallation();
    const results = await Promise.all(Array.from({ length: 6 }, () => signUpAs(prisma, 'open')));
    expect(results.filter((r) => r.platformAdmin)).toHaveLength(1);
    expect(await prisma.user.count()).toBe(6);
    expect(await admins(prisma)).toHaveLength(1);
  });

  it('invite: refuses plain sign-up with 403 naming the mode, but an invitation creates the account', async () => {
    const prisma = await emptyInstallation();
    // The very first account may still sign up, so an operator can reach the portal.
    const first = await signUpAs(prisma, 'invite');
    expect(first.platformAdmin).toBe(true);
    await rejects(signUpAs(prisma, 'invite'), 'FORBIDDEN', /invitation only.*SIGNUP=invite/);
    // Refused before the form is even checked: the page must say the mode, not "password too weak".
    // (`{} as never`: an empty form, which the types would not let a caller send.)
    await rejects(signUp(prisma, mailer, WEB, {} as never, { signupMode: 'invite' }), 'FORBIDDEN', /SIGNUP=invite/);

    const invitee = email();
    const token = await invitation(prisma, invitee);
    const joined = await acceptInvitationAsNewUser(prisma, { token, name: 'Bea', password: PASSWORD });
    expect(joined.email).toBe(invitee);
    const user = await prisma.user.findUniqueOrThrow({ where: { email: invitee } });
    expect(user.isPlatformAdmin).toBe(false);
  });

  it('invite: two racing first sign-ups on an empty installation let exactly one in', async () => {
    const prisma = await emptyInstallation();
    const outcomes = await Promise.allSettled([signUpAs(prisma, 'invite'), signUpAs(prisma, 'invite')]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    expect(fulfilled).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect((refused?.reason as AppError).code).toBe('FORBIDDEN');
    expect(await prisma.user.count()).toBe(1);
  });

  it('closed: nobody signs up, not even the first; the operator creates the first user, invitations still work', async () => {
    const prisma = await emptyInstallation();
    await rejects(signUpAs(prisma, 'closed'), 'FORBIDDEN', /closed.*SIGNUP=closed/);
    expect(await prisma.user.count()).toBe(0);

    const operator = await createUserAccount(prisma, { email: 'Root@Example.test', password: PASSWORD });
    expect(operator).toMatchObject({ email: 'root@example.test', platformAdmin: true });
    await rejects(signUpAs(prisma, 'closed'), 'FORBIDDEN', /SIGNUP=closed/);

    const invitee = email();
    const token = await invitation(prisma, invitee);
    await acceptInvitationAsNewUser(prisma, { token, name: 'Cy', password: PASSWORD });
    expect(await prisma.user.count({ where: { email: invitee } })).toBe(1);
    expect(await admins(prisma)).toEqual([{ email: 'root@example.test' }]);
  });

  it('create-user then sign-in works; a duplicate email and a weak password are refused', async () => {
    const prisma = await emptyInstallation();
    await createUserAccount(prisma, { email: 'first@example.test', password: PASSWORD });
    const made = await createUserAccount(prisma, { email: 'ops@example.test', password: PASSWORD, name: 'Ops' });
    expect(made.platformAdmin).toBe(false);
    const asAdmin = await createUserAccount(prisma, {
      email: 'ops2@example.test',
      password: PASSWORD,
      platformAdmin: true,
    });
    expect(asAdmin.platformAdmin).toBe(true);

    const guard = createSignInGuard(redis, { keyPrefix: `test-signup-${Math.random().toString(36).slice(2)}` });
    const signedIn = await guard.authenticate(prisma, {
      email: 'ops@example.test',
      password: PASSWORD,
      ip: '203.0.113.9',
    });
    expect(signedIn).toMatchObject({ id: made.id, name: 'Ops' });
    expect(signedIn.emailVerified).toBeInstanceOf(Date);

    await rejects(
      createUserAccount(prisma, { email: 'ops@example.test', password: PASSWORD }),
      'CONFLICT',
      /already exists/,
    );
    await rejects(
      createUserAccount(prisma, { email: 'x@example.test', password: 'short' }),
      'BAD_REQUEST',
      /at least 10/,
    );
  });

  it('reset-password: the old password stops working, the new one works, sessions end', async () => {
    const prisma = await emptyInstallation();
    const made = await createUserAccount(prisma, { email: 'locked@example.test', password: PASSWORD });
    const before = await prisma.user.findUniqueOrThrow({ where: { id: made.id } });
    const guard = createSignInGuard(redis, { keyPrefix: `test-signup-${Math.random().toString(36).slice(2)}` });
    const signIn = (password: string) =>
      guard.authenticate(prisma, { email: 'locked@example.test', password, ip: '203.0.113.10' });

    const generated = await setUserPassword(prisma, { email: 'LOCKED@example.test' });
    expect(generated.generated).toBe(true);
    expect(generated.password.length).toBeGreaterThanOrEqual(32);
    await rejects(signIn(PASSWORD), 'UNAUTHORIZED');
    await expect(signIn(generated.password)).resolves.toMatchObject({ id: made.id });
    const after = await prisma.user.findUniqueOrThrow({ where: { id: made.id } });
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);

    const chosen = await setUserPassword(prisma, { email: 'locked@example.test', password: 'another long passphrase' });
    expect(chosen).toMatchObject({ generated: false, password: 'another long passphrase' });
    await expect(signIn('another long passphrase')).resolves.toMatchObject({ id: made.id });
    await rejects(setUserPassword(prisma, { email: 'nobody@example.test' }), 'NOT_FOUND', /no user/);
    await rejects(setUserPassword(prisma, { email: 'locked@example.test', password: 'short' }), 'BAD_REQUEST');
  });
});

import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors.ts';
import { hashKey } from '../keys/keys.ts';
import type { Mailer, MailMessage } from '../mail/mailer.ts';
import { verifyPassword } from '../tenancy/organizations.ts';
import { createTestOrg } from '../testing/index.ts';
import { sendVerificationEmail, verifyEmail } from './email-verification.ts';
import { requestPasswordReset, resetPassword } from './password-reset.ts';
import { signUp } from './sign-up.ts';

const WEB = 'https://portal.example.test';
let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 6 });
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

function inbox(): Mailer & { sent: MailMessage[]; link(kind: string): string } {
  const sent: MailMessage[] = [];
  return {
    sent,
    send(message) {
      sent.push(message);
      return Promise.resolve();
    },
    link(kind) {
      const match = new RegExp(`${WEB}/${kind}/([A-Za-z0-9_-]+)`).exec(sent.at(-1)?.text ?? '');
      if (!match?.[1]) throw new Error(`no ${kind} link in the last mail`);
      return match[1];
    },
  };
}

async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
}

const email = (): string => `user-${Math.random().toString(36).slice(2)}@example.test`;
const PASSWORD = 'a long and unusual passphrase';

describe('sign-up', () => {
  it('creates the user, their organization with them as OWNER, and mails a link that verifies the address', async () => {
    const mail = inbox();
    const address = email();
    const result = await signUp(prisma, mail, WEB, {
      name: ' Ada ',
      email: address.toUpperCase(),
      password: PASSWORD,
      organization: 'Analytical Engines',
    });
    expect(result.orgSlug).toMatch(/^analytical-engines/);
    const user = await prisma.user.findUniqueOrThrow({ where: { id: result.userId } });
    expect(user).toMatchObject({ email: address, name: 'Ada', emailVerified: null });
    expect(await verifyPassword(user.passwordHash ?? '', PASSWORD)).toBe(true);
    const membership = await prisma.membership.findFirstOrThrow({ where: { userId: result.userId } });
    expect(membership).toMatchObject({ orgId: result.orgId, role: 'OWNER' });
    const audit = await prisma.auditLog.findMany({ where: { orgId: result.orgId } });
    // The first account of this (empty) database is also made platform admin, and audited.
    expect(result.platformAdmin).toBe(true);
    expect(audit.map((a) => a.action).sort()).toEqual(['org.created', 'user.platform_admin_granted', 'user.signed_up']);

    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({ to: address, subject: 'Confirm your email for Sightline' });
    const token = mail.link('verify-email');
    // Only a hash is stored: a database read does not yield a working link.
    expect(await prisma.verificationToken.count({ where: { token } })).toBe(0);
    expect(await verifyEmail(prisma, token)).toEqual({ email: address });
    const verified = await prisma.user.findUniqueOrThrow({ where: { id: result.userId } });
    expect(verified.emailVerified).toBeInstanceOf(Date);
    await rejects(verifyEmail(prisma, token), 'NOT_FOUND', /not valid/);
  });

  it('refuses a taken email in any letter case, without creating a second organization', async () => {
    const address = email();
    await signUp(prisma, inbox(), WEB, { name: 'A', email: address, password: PASSWORD, organization: 'First' });
    const orgsBefore = await prisma.organization.count();
    await rejects(
      signUp(prisma, inbox(), WEB, {
        name: 'B',
        email: address.replace('user', 'USER'),
        password: PASSWORD,
        organization: 'Second',
      }),
      'CONFLICT',
      /already exists; sign in instead/,
    );
    expect(await prisma.organization.count()).toBe(orgsBefore);
  });

  it('says what is wrong with a weak password', async () => {
    const input = { name: 'A', email: email(), organization: 'Weak' };
    await rejects(
      signUp(prisma, inbox(), WEB, { ...input, password: 'short' }),
      'BAD_REQUEST',
      /password is too weak: use at least 10 characters/,
    );
    await rejects(signUp(prisma, inbox(), WEB, { ...input, password: 'Password123' }), 'BAD_REQUEST', /most common/);
    await rejects(signUp(prisma, inbox(), WEB, { ...input, password: 'aaaaaaaaaaaa' }), 'BAD_REQUEST', /too weak/);
    expect(await prisma.user.count({ where: { email: input.email } })).toBe(0);
  });

  it('gives exactly one account to concurrent sign-ups with the same email', async () => {
    const address = email();
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        signUp(prisma, inbox(), WEB, { name: 'Racer', email: address, password: PASSWORD, organization: `Race ${i}` }),
      ),
    );
    const failures = results.filter((r) => r.status === 'rejected').map((r) => (r.reason as AppError).code);
    expect(failures).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
    expect(await prisma.user.count({ where: { email: address } })).toBe(1);
    expect(await prisma.organization.count({ where: { name: { startsWith: 'Race ' } } })).toBe(1);
  });

  it('gives concurrent sign-ups with the same organization name distinct slugs', async () => {
    const results = await Promise.all(
      Array.from({ length: 3 }, () =>
        signUp(prisma, inbox(), WEB, { name: 'Twin', email: email(), password: PASSWORD, organization: 'Twin Co' }),
      ),
    );
    expect(new Set(results.map((r) => r.orgSlug)).size).toBe(3);
  });

  it('keeps the account when the verification mail cannot be sent; a resend works', async () => {
    const broken: Mailer = { send: () => Promise.reject(new Error('SMTP down')) };
    const address = email();
    const { userId } = await signUp(prisma, broken, WEB, {
      name: 'A',
      email: address,
      password: PASSWORD,
      organization: 'Offline',
    });
    const mail = inbox();
    await sendVerificationEmail(prisma, mail, WEB, userId);
    expect(await verifyEmail(prisma, mail.link('verify-email'))).toEqual({ email: address });
  });

  it('refuses an expired verification link', async () => {
    const mail = inbox();
    const { userId } = await signUp(prisma, mail, WEB, {
      name: 'A',
      email: email(),
      password: PASSWORD,
      organization: 'Late',
    });
    const token = mail.link('verify-email');
    await prisma.verificationToken.updateMany({
      where: { token: hashKey(token) },
      data: { expires: new Date(Date.now() - 1000) },
    });
    await rejects(verifyEmail(prisma, token), 'BAD_REQUEST', /expired; sign in and ask for a new one/);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: userId } })).emailVerified).toBeNull();
    await rejects(verifyEmail(prisma, 'made-up'), 'NOT_FOUND', /not valid/);
  });
});

describe('password reset', () => {
  it('replaces the password through a single-use link, verifies the address and audits it', async () => {
    const { org, owner } = await createTestOrg(prisma);
    const mail = inbox();
    await requestPasswordReset(prisma, mail, WEB, ` ${owner.email.toUpperCase()} `);
    expect(mail.sent[0]).toMatchObject({ to: owner.email, subject: 'Reset your Sightline password' });
    const token = mail.link('reset-password');

    await rejects(resetPassword(prisma, token, 'qwertyuiop'), 'BAD_REQUEST', /password is too weak/);
    expect(await resetPassword(prisma, token, 'brand new passphrase')).toEqual({ email: owner.email });
    const user = await prisma.user.findUniqueOrThrow({ where: { id: owner.id } });
    expect(await verifyPassword(user.passwordHash ?? '', 'brand new passphrase')).toBe(true);
    expect(await verifyPassword(user.passwordHash ?? '', 'correct horse battery staple')).toBe(false);
    expect(user.emailVerified).toBeInstanceOf(Date);
    expect(await prisma.auditLog.count({ where: { orgId: org.id, action: 'user.password_reset' } })).toBe(1);

    await rejects(resetPassword(prisma, token, 'another passphrase'), 'NOT_FOUND', /not valid or was already used/);
  });

  it('honours only the newest link, refuses an expired one, and stays silent for unknown emails', async () => {
    const { owner } = await createTestOrg(prisma);
    const mail = inbox();
    await requestPasswordReset(prisma, mail, WEB, owner.email);
    const first = mail.link('reset-password');
    await requestPasswordReset(prisma, mail, WEB, owner.email);
    const second = mail.link('reset-password');
    await rejects(resetPassword(prisma, first, 'brand new passphrase'), 'NOT_FOUND');

    await prisma.passwordResetToken.update({
      where: { tokenHash: hashKey(second) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await rejects(resetPassword(prisma, second, 'brand new passphrase'), 'BAD_REQUEST', /expired/);
    const user = await prisma.user.findUniqueOrThrow({ where: { id: owner.id } });
    expect(await verifyPassword(user.passwordHash ?? '', 'correct horse battery staple')).toBe(true);

    const silent = inbox();
    await requestPasswordReset(prisma, silent, WEB, 'nobody-here@example.test');
    expect(silent.sent).toHaveLength(0);
  });
});

import { randomBytes } from 'node:crypto';
import { AppError, createSignInGuard } from '@sightline/core';
import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './testing.ts';

// create-user, reset-password and migrate --status as an operator runs them, checked through
// core's own sign-in (the portal's path) and the database itself.

let db: TestDatabase;
let prisma: PrismaClient;
let redis: Redis;
const PASSWORD = 'an operator passphrase';

const cli = (...args: string[]) =>
  runCli(args, { DATABASE_URL: db.url, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });

beforeAll(async () => {
  db = await createTestDatabase('sightline_cli_users');
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});

afterAll(async () => {
  redis.disconnect();
  await prisma.$disconnect();
  await db.drop();
});

const guard = () => createSignInGuard(redis, { keyPrefix: `test-cli-users-${randomBytes(4).toString('hex')}` });
async function signIn(email: string, password: string): Promise<string> {
  try {
    return (await guard().authenticate(prisma, { email, password, ip: '203.0.113.20' })).id;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('sightline create-user and reset-password', { timeout: 240_000 }, () => {
  it('creates users who can sign in; the first of the installation is platform admin', async () => {
    const first = await cli('create-user', '--email', 'Root@Example.test', '--password', PASSWORD, '--json');
    expect(first.code, first.stderr).toBe(0);
    const root = (JSON.parse(first.stdout) as { user: { id: string; email: string; platformAdmin: boolean } }).user;
    expect(root).toMatchObject({ email: 'root@example.test', platformAdmin: true });
    expect(await signIn('root@example.test', PASSWORD)).toBe(root.id);

    const human = await cli('create-user', '--email', 'ops@example.test', '--password', PASSWORD, '--name', 'Ops');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Created user ops@example\.test \(Ops\)/);
    expect(human.stdout).toMatch(/platform admin: +no/);
    const ops = await prisma.user.findUniqueOrThrow({ where: { email: 'ops@example.test' } });
    expect(ops).toMatchObject({ name: 'Ops', isPlatformAdmin: false });
    expect(ops.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await prisma.membership.count({ where: { userId: ops.id } })).toBe(0);

    const admin = await cli(
      'create-user',
      '--email',
      'boss@example.test',
      '--password',
      PASSWORD,
      '--platform-admin',
      '--json',
    );
    expect(JSON.parse(admin.stdout)).toMatchObject({ user: { platformAdmin: true } });
  });

  it('refuses a duplicate, a weak password and a missing flag with a clear message', async () => {
    // Independent refusals, run at once: each CLI start costs seconds on a busy machine.
    const [dup, weak, missing, nobody] = await Promise.all([
      cli('create-user', '--email', 'ops@example.test', '--password', PASSWORD, '--json'),
      cli('create-user', '--email', 'weak@example.test', '--password', 'short'),
      cli('reset-password', '--json'),
      cli('reset-password', '--email', 'nobody@example.test'),
    ]);
    expect(dup.code).toBe(1);
    expect(JSON.parse(dup.stdout)).toMatchObject({
      error: { code: 'CONFLICT', message: expect.stringMatching(/already exists/) as string },
    });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/password is too weak: use at least 10 characters/);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'BAD_REQUEST', message: '--email is required' } });
    expect(nobody.stderr).toMatch(/no user with email nobody@example.test/);
    for (const r of [dup, weak, nobody]) expect(r.stderr).not.toMatch(/\n[ \t]+at /);
  });

  it('reset-password generates and prints a strong password; the old one stops working, sessions end', async () => {
    const before = await prisma.user.findUniqueOrThrow({ where: { email: 'ops@example.test' } });
    const reset = await cli('reset-password', '--email', 'ops@example.test', '--json');
    expect(reset.code, reset.stderr).toBe(0);
    const out = JSON.parse(reset.stdout) as { password: string; generated: boolean; sessionsRevoked: boolean };
    expect(out).toMatchObject({ generated: true, sessionsRevoked: true });
    expect(out.password.length).toBeGreaterThanOrEqual(32);
    expect(await signIn('ops@example.test', PASSWORD)).toBe('UNAUTHORIZED');
    expect(await signIn('ops@example.test', out.password)).toBe(before.id);
    const after = await prisma.user.findUniqueOrThrow({ where: { id: before.id } });
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);

    const chosen = await cli('reset-password', '--email', 'ops@example.test', '--password', 'a chosen new passphrase');
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).not.toContain('a chosen new passphrase');
    expect(await signIn('ops@example.test', 'a chosen new passphrase')).toBe(before.id);
    expect(await signIn('ops@example.test', out.password)).toBe('UNAUTHORIZED');
  });
});

describe('sightline migrate --status', { timeout: 240_000 }, () => {
  it('is 0 when up to date, and lists the pending migration and exits 3 when one is missing', async () => {
    const current = await cli('migrate', '--status', '--json');
    expect(current.code, current.stderr).toBe(0);
    const status = JSON.parse(current.stdout) as {
      applied: Array<{ name: string }>;
      pending: string[];
      upToDate: boolean;
    };
    expect(status).toMatchObject({ pending: [], upToDate: true });
    expect(status.applied.length).toBeGreaterThan(10);

    const last = status.applied.at(-1)!.name;
    await prisma.$executeRaw`DELETE FROM "_prisma_migrations" WHERE migration_name = ${last}`;
    const pending = await cli('migrate', '--status', '--json');
    expect(pending.code).toBe(3);
    expect(JSON.parse(pending.stdout)).toMatchObject({ pending: [last], upToDate: false });
    const human = await cli('migrate', '--status');
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(new RegExp(`Pending \\(1\\):\\n  ${last}\\n`));
    expect(human.stdout).toContain('Run `npx sightline migrate`');
    // --status changed nothing.
    expect(
      await prisma.$queryRaw<unknown[]>`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ${last}`,
    ).toHaveLength(0);
  });
});

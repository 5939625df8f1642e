import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors.ts';
import { createCredentialResolver, type CredentialResolver } from '../keys/resolver.ts';
import { createTestApiKey, createTestApp, createTestOrg } from '../testing/index.ts';
import {
  listOrganizationsForAdmin,
  requirePlatformAdmin,
  setOrganizationSuspended,
  updateOrganizationPlan,
} from './platform-admin.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let redis: Redis;
let resolver: CredentialResolver;
let admin: { userId: string };
let outsider: { userId: string };

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const namespace = `test-${Math.random().toString(36).slice(2)}`;
  resolver = createCredentialResolver({ prisma, cache: redis, secret: 'test-secret-'.padEnd(40, 'x'), namespace });
  const operator = await prisma.user.create({ data: { email: 'operator@example.test', isPlatformAdmin: true } });
  admin = { userId: operator.id };
  // An OWNER of an organization is still no operator of the installation.
  const { owner } = await createTestOrg(prisma);
  outsider = { userId: owner.id };
});

afterAll(async () => {
  await prisma.$disconnect();
  redis.disconnect();
  await db.drop();
});

async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
}

const thisMonth = (): Date => new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));

describe('platform administration', () => {
  it('refuses everyone but the installation’s operators', async () => {
    const { org } = await createTestOrg(prisma);
    const forbidden = /for the operators of this Sightline installation/;
    await rejects(requirePlatformAdmin(prisma, outsider.userId), 'FORBIDDEN', forbidden);
    await rejects(requirePlatformAdmin(prisma, 'not-a-uuid'), 'FORBIDDEN', forbidden);
    await rejects(listOrganizationsForAdmin(prisma, outsider), 'FORBIDDEN');
    await rejects(
      updateOrganizationPlan(prisma, outsider, org.id, { plan: 'ENTERPRISE', monthlyEventQuota: 1e9 }),
      'FORBIDDEN',
    );
    await rejects(
      setOrganizationSuspended(prisma, resolver, outsider, org.id, { suspended: true, reason: 'x' }),
      'FORBIDDEN',
    );
    expect(await requirePlatformAdmin(prisma, admin.userId)).toEqual(admin);
    expect(await prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      plan: 'FREE',
      suspended: false,
    });
  });

  it('lists every live organization with members, apps, this month’s usage and last activity', async () => {
    const { org, owner } = await createTestOrg(prisma, { name: 'Listed Org' });
    const { app } = await createTestApp(prisma, org.id, { name: 'Shop', bundleId: 'com.example.shop' });
    const { apiKey } = await createTestApiKey(prisma, org.id);
    const keyUsedAt = new Date(Date.now() + 60_000);
    await prisma.apiKey.update({ where: { id: apiKey.id }, data: { lastUsedAt: keyUsedAt } });
    const month = thisMonth();
    await prisma.usageCounter.createMany({
      data: [
        { orgId: org.id, month, eventsAccepted: 1200n, crashesAccepted: 34n, eventsDropped: 56n },
        // Last month's numbers are not this month's usage.
        { orgId: org.id, month: new Date(Date.UTC(2020, 0, 1)), eventsAccepted: 999_999n },
      ],
    });
    const deleted = await createTestOrg(prisma, { name: 'Deleted Org' });
    await prisma.organization.update({ where: { id: deleted.org.id }, data: { deletedAt: new Date() } });

    const orgs = await listOrganizationsForAdmin(prisma, admin);
    expect(orgs.find((o) => o.id === deleted.org.id)).toBeUndefined();
    const listed = orgs.find((o) => o.id === org.id);
    expect(listed).toMatchObject({
      name: 'Listed Org',
      slug: org.slug,
      plan: 'FREE',
      monthlyEventQuota: 1_000_000,
      suspended: false,
      suspendedReason: null,
      members: [{ email: owner.email, role: 'OWNER' }],
      apps: [{ id: app.id, name: 'Shop', bundleId: 'com.example.shop' }],
      usage: { month: month.toISOString().slice(0, 7), accepted: 1234, rejected: 56 },
      lastActivityAt: keyUsedAt,
    });
    // An org that never did anything still shows, with zero usage.
    const quiet = orgs.find((o) => o.id !== org.id && o.usage.accepted === 0);
    expect(quiet?.usage).toMatchObject({ accepted: 0, rejected: 0 });
  });

  it('changes the plan and quota, and says so in that organization’s audit log', async () => {
    const { org } = await createTestOrg(prisma);
    const result = await updateOrganizationPlan(prisma, admin, org.id, { plan: 'BUSINESS', monthlyEventQuota: 50e6 });
    expect(result).toEqual({ id: org.id, plan: 'BUSINESS', monthlyEventQuota: 50_000_000 });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { orgId: org.id, action: 'platform.plan_changed' } });
    expect(audit).toMatchObject({ actorType: 'USER', actorId: admin.userId });
    expect(audit.metadata).toMatchObject({
      platformAdmin: true,
      from: { plan: 'FREE', monthlyEventQuota: 1_000_000 },
      to: { plan: 'BUSINESS', monthlyEventQuota: 50_000_000 },
    });
    await rejects(updateOrganizationPlan(prisma, admin, org.id, { plan: 'GOLD' as never, monthlyEventQuota: 1 }), 'BAD_REQUEST');
    await rejects(
      updateOrganizationPlan(prisma, admin, org.id, { plan: 'TEAM', monthlyEventQuota: -1 }),
      'BAD_REQUEST',
      /monthlyEventQuota/,
    );
  });

  it('suspends with a reason so keys stop at once, and lifts it; nothing is deleted', async () => {
    const { org } = await createTestOrg(prisma);
    const { app, ingestKey } = await createTestApp(prisma, org.id);
    expect(await resolver.resolve(ingestKey)).toMatchObject({ orgId: org.id, orgSuspended: false });

    await rejects(
      setOrganizationSuspended(prisma, resolver, admin, org.id, { suspended: true }),
      'BAD_REQUEST',
      /reason is required/,
    );
    await rejects(
      setOrganizationSuspended(prisma, resolver, admin, org.id, { suspended: true, reason: '   ' }),
      'BAD_REQUEST',
    );
    await setOrganizationSuspended(prisma, resolver, admin, org.id, { suspended: true, reason: 'unpaid invoices' });
    // The cached credential was dropped: the very next request sees the suspension.
    expect(await resolver.resolve(ingestKey)).toMatchObject({ orgSuspended: true });
    expect(await prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      suspended: true,
      suspendedReason: 'unpaid invoices',
      deletedAt: null,
    });
    expect(await prisma.app.count({ where: { id: app.id, deletedAt: null } })).toBe(1);

    await setOrganizationSuspended(prisma, resolver, admin, org.id, { suspended: false });
    expect(await resolver.resolve(ingestKey)).toMatchObject({ orgSuspended: false });
    expect(await prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      suspended: false,
      suspendedReason: null,
    });
    const audit = await prisma.auditLog.findMany({
      where: { orgId: org.id, action: { startsWith: 'platform.' } },
      orderBy: { createdAt: 'asc' },
    });
    expect(audit.map((a) => [a.action, a.actorId, a.metadata])).toEqual([
      ['platform.org_suspended', admin.userId, { platformAdmin: true, reason: 'unpaid invoices' }],
      ['platform.org_unsuspended', admin.userId, { platformAdmin: true, reason: null }],
    ]);
  });

  it('answers NOT_FOUND for an unknown, malformed or deleted organization id', async () => {
    const gone = await createTestOrg(prisma);
    await prisma.organization.update({ where: { id: gone.org.id }, data: { deletedAt: new Date() } });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', gone.org.id]) {
      await rejects(updateOrganizationPlan(prisma, admin, id, { plan: 'TEAM', monthlyEventQuota: 10 }), 'NOT_FOUND');
      await rejects(
        setOrganizationSuspended(prisma, resolver, admin, id, { suspended: true, reason: 'abuse' }),
        'NOT_FOUND',
      );
    }
  });
});

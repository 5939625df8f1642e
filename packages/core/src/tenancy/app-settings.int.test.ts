import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors.ts';
import { createCredentialResolver, type CredentialResolver } from '../keys/resolver.ts';
import { createTestApiKey, createTestApp, createTestOrg } from '../testing/index.ts';
import { deleteApp, getApp, listApiKeys, listApps, updateApp } from './app-settings.ts';
import { acceptInvitation, actorFromApiKey, inviteMember, requireMembership, type OrgActor } from './members.ts';

let db: TestDatabase;
let prisma: PrismaClient;
let redis: Redis;
let resolver: CredentialResolver;
let owner: OrgActor;
let viewer: OrgActor;
let stranger: OrgActor;

async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  resolver = createCredentialResolver({ prisma, cache: redis, secret: 'x'.repeat(40), namespace: `test-${Date.now()}` });
  const org = await createTestOrg(prisma);
  owner = await requireMembership(prisma, org.owner.id, org.org.id);
  const { token } = await inviteMember(prisma, owner, { email: 'viewer@example.test', role: 'VIEWER' });
  const viewerUser = await prisma.user.create({ data: { email: 'viewer@example.test', emailVerified: new Date() } });
  await acceptInvitation(prisma, viewerUser.id, token);
  viewer = await requireMembership(prisma, viewerUser.id, org.org.id);
  const other = await createTestOrg(prisma);
  stranger = await requireMembership(prisma, other.owner.id, other.org.id);
});

afterAll(async () => {
  await prisma.$disconnect();
  redis.disconnect();
  await db.drop();
});

describe('app settings', () => {
  it('lists and reads only the org’s own apps, never key hashes or salts', async () => {
    const app = await createTestApp(prisma, owner.orgId);
    await createTestApp(prisma, stranger.orgId);
    const apps = await listApps(prisma, viewer);
    expect(apps.map((a) => a.id)).toEqual([app.app.id]);
    expect(Object.keys(apps[0]!)).not.toContain('deviceIdSalt');
    expect((await getApp(prisma, viewer, app.app.id)).bundleId).toBe(app.app.bundleId);
    await rejects(getApp(prisma, stranger, app.app.id), 'NOT_FOUND');
  });

  it('updates settings for ADMIN+, validating every field, and leaves other orgs’ apps untouched', async () => {
    const app = await createTestApp(prisma, owner.orgId);
    // Retention within the plan's limits: the free plan keeps raw events a week at most.
    await rejects(
      updateApp(prisma, owner, app.app.id, { rawEventRetentionDays: 14 }),
      'BAD_REQUEST',
      /rawEventRetentionDays may be at most 7 days on the FREE plan/,
    );
    await prisma.organization.update({ where: { id: owner.orgId }, data: { plan: 'TEAM' } });
    const updated = await updateApp(prisma, owner, app.app.id, {
      name: 'Renamed',
      sampleRate: 0.25,
      allowedOrigins: ['https://shop.example.com/path', 'https://shop.example.com'],
      rawEventRetentionDays: 14,
    });
    expect(updated).toMatchObject({ name: 'Renamed', sampleRate: 0.25, allowedOrigins: ['https://shop.example.com'], rawEventRetentionDays: 14 });
    await rejects(updateApp(prisma, owner, app.app.id, { sampleRate: 2 }), 'BAD_REQUEST', /sampleRate must be between 0 and 1/);
    await rejects(updateApp(prisma, owner, app.app.id, { orgId: stranger.orgId } as never), 'BAD_REQUEST');
    await rejects(updateApp(prisma, viewer, app.app.id, { name: 'Nope' }), 'FORBIDDEN');
    await rejects(updateApp(prisma, stranger, app.app.id, { name: 'Hijacked' }), 'NOT_FOUND');
    expect((await getApp(prisma, owner, app.app.id)).name).toBe('Renamed');
  });

  it('accepts each plan’s retention limit and refuses one day more (limits written out)', async () => {
    const org = await createTestOrg(prisma);
    const admin = await requireMembership(prisma, org.owner.id, org.org.id);
    const app = await createTestApp(prisma, org.org.id);
    const limits = {
      FREE: { rawEventRetentionDays: 7, crashReportRetentionDays: 90, aggregateRetentionDays: 730 },
      TEAM: { rawEventRetentionDays: 30, crashReportRetentionDays: 180, aggregateRetentionDays: 1095 },
      BUSINESS: { rawEventRetentionDays: 90, crashReportRetentionDays: 365, aggregateRetentionDays: 1825 },
      ENTERPRISE: { rawEventRetentionDays: 365, crashReportRetentionDays: 365, aggregateRetentionDays: 3650 },
    } as const;
    for (const [plan, fields] of Object.entries(limits) as [keyof typeof limits, (typeof limits)['FREE']][]) {
      await prisma.organization.update({ where: { id: org.org.id }, data: { plan } });
      for (const [field, days] of Object.entries(fields) as [keyof typeof fields, number][]) {
        const updated = await updateApp(prisma, admin, app.app.id, { [field]: days });
        expect(updated[field], `${plan} ${field}`).toBe(days);
        await rejects(updateApp(prisma, admin, app.app.id, { [field]: days + 1 }), 'BAD_REQUEST');
        expect((await getApp(prisma, admin, app.app.id))[field], `${plan} ${field} + 1`).toBe(days);
      }
    }
  });

  it('deletes an app: it disappears and its ingest key stops working at once', async () => {
    const app = await createTestApp(prisma, owner.orgId);
    expect(await resolver.resolve(app.ingestKey)).not.toBeNull();
    await rejects(deleteApp(prisma, resolver, stranger, app.app.id), 'NOT_FOUND');
    await rejects(deleteApp(prisma, resolver, viewer, app.app.id), 'FORBIDDEN');
    expect(await resolver.resolve(app.ingestKey)).not.toBeNull();
    await deleteApp(prisma, resolver, owner, app.app.id);
    expect(await resolver.resolve(app.ingestKey)).toBeNull();
    await rejects(getApp(prisma, owner, app.app.id), 'NOT_FOUND');
    expect(await prisma.auditLog.count({ where: { orgId: owner.orgId, action: 'app.deleted' } })).toBe(1);
  });

  it('lists secret keys to ADMIN+ without their hashes, and only the org’s own', async () => {
    const mine = await createTestApiKey(prisma, owner.orgId, ['read']);
    await createTestApiKey(prisma, stranger.orgId, ['read']);
    const keys = await listApiKeys(prisma, owner);
    expect(keys.map((k) => k.id)).toEqual([mine.apiKey.id]);
    expect(JSON.stringify(keys)).not.toContain(mine.secret.slice(12));
    expect(Object.keys(keys[0]!)).not.toContain('keyHash');
    await rejects(listApiKeys(prisma, viewer), 'FORBIDDEN');
  });
});

describe('secret keys as actors', () => {
  it('act within their scopes: read lists, write cannot reconfigure, admin can; never another org', async () => {
    const app = await createTestApp(prisma, owner.orgId);
    const asKey = async (scopes: Array<'read' | 'write' | 'admin' | 'ingest'>) =>
      actorFromApiKey((await resolver.resolve((await createTestApiKey(prisma, owner.orgId, scopes)).secret))!);
    const reader = await asKey(['read']);
    expect((await listApps(prisma, reader)).map((a) => a.id)).toContain(app.app.id);
    await rejects(updateApp(prisma, await asKey(['read', 'write']), app.app.id, { name: 'x' }), 'FORBIDDEN');
    const admin = await asKey(['admin']);
    await updateApp(prisma, admin, app.app.id, { name: 'Set by key' });
    const audit = await prisma.auditLog.findFirst({ where: { orgId: owner.orgId, action: 'app.updated', actorType: 'API_KEY' } });
    // The key that acted, not merely some key.
    expect(admin.audit.type).toBe('API_KEY');
    expect(audit?.actorId).toBe((admin.audit as { id: string }).id);
    await rejects(asKey(['ingest']), 'FORBIDDEN', /no read, write or admin scope/);
    const foreignKey = actorFromApiKey((await resolver.resolve((await createTestApiKey(prisma, stranger.orgId, ['admin'])).secret))!);
    await rejects(updateApp(prisma, foreignKey, app.app.id, { name: 'Hijacked' }), 'NOT_FOUND');
  });
});

import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { hashDeviceId, registerDevice, revokeApiKey, revokeDeviceTokens, rotateIngestKey } from '../tenancy/index.ts';
import { createTestApiKey, createTestApp, createTestOrg } from '../testing/index.ts';
import { hashKey } from './keys.ts';
import { flushLastUsed, lastUsedKey } from './last-used.ts';
import { createCredentialResolver, type CredentialResolver } from './resolver.ts';

const SECRET = 'test-secret-'.padEnd(40, 'x');
const namespace = `test-${Math.random().toString(36).slice(2)}`;
let db: TestDatabase;
let prisma: PrismaClient;
let redis: Redis;
// Two resolvers sharing Redis stand for two api processes.
let processA: CredentialResolver;
let processB: CredentialResolver;
let org: Awaited<ReturnType<typeof createTestOrg>>;
let app: Awaited<ReturnType<typeof createTestApp>>;
let otherOrg: Awaited<ReturnType<typeof createTestOrg>>;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  processA = createCredentialResolver({ prisma, cache: redis, secret: SECRET, namespace });
  processB = createCredentialResolver({ prisma, cache: redis, secret: SECRET, namespace });
  org = await createTestOrg(prisma);
  app = await createTestApp(prisma, org.org.id);
  otherOrg = await createTestOrg(prisma);
});

afterAll(async () => {
  await prisma.$disconnect();
  redis.disconnect();
  await db.drop();
});

async function notFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND');
}

describe('credential resolver', () => {
  it('resolves each kind of key to its org (and app), from the key alone', async () => {
    const ingest = await processA.resolve(app.ingestKey);
    expect(ingest).toMatchObject({
      kind: 'ingest_key',
      orgId: org.org.id,
      appId: app.app.id,
      scopes: ['ingest'],
      orgSuspended: false,
    });
    const secret = await createTestApiKey(prisma, org.org.id, ['read', 'write']);
    expect(await processA.resolve(secret.secret)).toMatchObject({
      kind: 'api_key',
      orgId: org.org.id,
      scopes: ['read', 'write'],
    });
  });

  it('knows nothing of unknown, malformed or forged credentials', async () => {
    expect(await processA.resolve('sk_doesNotExist123')).toBeNull();
    expect(await processA.resolve('Bearer nonsense')).toBeNull();
    expect(await processA.resolve('')).toBeNull();
    const { token } = await registerDevice(
      prisma,
      (await processA.resolve(app.ingestKey))!,
      { app_id: app.app.bundleId, device_id: 'raw-1' },
      SECRET,
    );
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await processA.resolve(forged)).toBeNull();
    const otherSecret = createCredentialResolver({
      prisma,
      cache: redis,
      secret: 'another-secret'.padEnd(40, 'y'),
      namespace,
    });
    expect(await otherSecret.resolve(token)).toBeNull();
  });

  it('stops a revoked secret key in every process at once, though it was cached', async () => {
    const key = await createTestApiKey(prisma, org.org.id, ['read']);
    expect(await processA.resolve(key.secret)).not.toBeNull();
    await revokeApiKey(prisma, processB, org.org.id, key.apiKey.id, { type: 'SYSTEM' });
    expect(await processA.resolve(key.secret)).toBeNull();
    const audit = await prisma.auditLog.findFirst({
      where: { orgId: org.org.id, action: 'api_key.revoked', targetId: key.apiKey.id },
    });
    expect(audit).not.toBeNull();
  });

  it("cannot revoke another org's key: not found, and the key keeps working", async () => {
    const theirs = await createTestApiKey(prisma, otherOrg.org.id, ['read']);
    await notFound(revokeApiKey(prisma, processA, org.org.id, theirs.apiKey.id, { type: 'SYSTEM' }));
    await notFound(revokeApiKey(prisma, processA, org.org.id, 'not-a-uuid', { type: 'SYSTEM' }));
    expect(await processA.resolve(theirs.secret)).toMatchObject({ orgId: otherOrg.org.id });
  });

  it('rotates an ingest key: at once, or after a grace period', async () => {
    const target = await createTestApp(prisma, org.org.id);
    await processA.resolve(target.ingestKey);
    const { ingestKey: second } = await rotateIngestKey(prisma, processB, org.org.id, target.app.id, {
      type: 'SYSTEM',
    });
    expect(await processA.resolve(target.ingestKey)).toBeNull();
    expect(await processA.resolve(second)).toMatchObject({ appId: target.app.id });

    const { ingestKey: third } = await rotateIngestKey(
      prisma,
      processB,
      org.org.id,
      target.app.id,
      { type: 'SYSTEM' },
      24,
    );
    expect(await processA.resolve(second)).toMatchObject({ appId: target.app.id });
    expect(await processA.resolve(third)).toMatchObject({ appId: target.app.id });
    await notFound(rotateIngestKey(prisma, processB, otherOrg.org.id, target.app.id, { type: 'SYSTEM' }));
    expect(await processA.resolve(third)).not.toBeNull();
  });

  it('sees a suspension as soon as the org is invalidated', async () => {
    const suspended = await createTestOrg(prisma);
    const suspendedApp = await createTestApp(prisma, suspended.org.id);
    expect((await processA.resolve(suspendedApp.ingestKey))?.orgSuspended).toBe(false);
    await prisma.organization.update({ where: { id: suspended.org.id }, data: { suspended: true } });
    await processB.invalidateOrg(suspended.org.id);
    expect((await processA.resolve(suspendedApp.ingestKey))?.orgSuspended).toBe(true);
  });

  it('records last use in PostgreSQL only when the worker flushes', async () => {
    const key = await createTestApiKey(prisma, org.org.id, ['read']);
    const fresh = createCredentialResolver({ prisma, cache: redis, secret: SECRET, namespace });
    await fresh.resolve(key.secret);
    // The touch has landed in Redis (it is not awaited by resolve): only then is "not yet in
    // PostgreSQL" a statement about the flush rather than about timing.
    await expect.poll(() => redis.hget(lastUsedKey(namespace), `api_key:${key.apiKey.id}`)).toMatch(/^\d+$/);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.apiKey.id } })).lastUsedAt).toBeNull();
    await flushLastUsed(prisma, redis, namespace);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.apiKey.id } })).lastUsedAt).toBeInstanceOf(Date);
  });
});

describe('credential resolver with in-process memory', () => {
  it('answers from memory without Redis, and forgets a revoked key or suspended org within moments in every process', async () => {
    const subscribers = [
      new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
      new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    ];
    const memoNamespace = `${namespace}-memo`;
    const [a, b] = subscribers.map((subscriber) =>
      createCredentialResolver({
        prisma,
        cache: redis,
        secret: SECRET,
        namespace: memoNamespace,
        subscriber,
        memoMs: 60_000,
      }),
    ) as [CredentialResolver, CredentialResolver];
    try {
      await Promise.all([a.ready, b.ready]);
      // Both are listening now, so an invalidation from either reaches the other.
      expect(await redis.pubsub('NUMSUB', `${memoNamespace}:cred-invalidate`)).toEqual([
        `${memoNamespace}:cred-invalidate`,
        2,
      ]);
      const key = await createTestApiKey(prisma, org.org.id, ['read']);
      const target = await createTestApp(prisma, org.org.id);
      expect(await a.resolve(key.secret)).not.toBeNull();
      expect(await a.resolve(target.ingestKey)).not.toBeNull();
      // Memory answers even with the Redis entry gone (and the row revoked behind its back).
      await redis.del(`${memoNamespace}:cred:${hashKey(key.secret)}`);
      await prisma.apiKey.update({ where: { id: key.apiKey.id }, data: { revokedAt: new Date() } });
      expect(await a.resolve(key.secret)).not.toBeNull();
      // An invalidation from another process reaches this one.
      await b.invalidate(hashKey(key.secret));
      await expect.poll(() => a.resolve(key.secret), { timeout: 1000 }).toBeNull();
      await prisma.organization.update({ where: { id: org.org.id }, data: { suspended: true } });
      await b.invalidateOrg(org.org.id);
      await expect.poll(async () => (await a.resolve(target.ingestKey))?.orgSuspended, { timeout: 1000 }).toBe(true);
    } finally {
      await prisma.organization.update({ where: { id: org.org.id }, data: { suspended: false } });
      await a.invalidateOrg(org.org.id);
      for (const s of subscribers) s.disconnect();
    }
  });
});

describe('device registration', () => {
  it('issues a dt_ token bound to the app and device, storing the device id only hashed', async () => {
    const principal = (await processA.resolve(app.ingestKey))!;
    const { token, deviceId } = await registerDevice(
      prisma,
      principal,
      { app_id: app.app.bundleId, device_id: 'raw-device-42' },
      SECRET,
    );
    expect(token).toMatch(/^dt_[A-Za-z0-9]{40}$/);
    expect(await processA.resolve(token)).toMatchObject({
      kind: 'device_token',
      orgId: org.org.id,
      appId: app.app.id,
      deviceId,
    });
    const device = await prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
    const stored = await prisma.app.findUniqueOrThrow({ where: { id: app.app.id } });
    expect(device.deviceIdHash).toBe(hashDeviceId(stored.deviceIdSalt, 'raw-device-42'));
    expect(JSON.stringify(device)).not.toContain('raw-device-42');
    // Registering again reuses the device record.
    const again = await registerDevice(prisma, principal, { app_id: app.app.id, device_id: 'raw-device-42' }, SECRET);
    expect(again.deviceId).toBe(deviceId);
  });

  it("answers not found for another app's id, even in the same org, and rejects bad bodies", async () => {
    const principal = (await processA.resolve(app.ingestKey))!;
    const sibling = await createTestApp(prisma, org.org.id);
    const foreign = await createTestApp(prisma, otherOrg.org.id);
    await notFound(registerDevice(prisma, principal, { app_id: sibling.app.bundleId, device_id: 'd' }, SECRET));
    await notFound(registerDevice(prisma, principal, { app_id: foreign.app.id, device_id: 'd' }, SECRET));
    await expect(registerDevice(prisma, principal, { app_id: app.app.bundleId }, SECRET)).rejects.toThrow(/device_id/);
    const apiKey = await createTestApiKey(prisma, org.org.id, ['ingest']);
    await expect(
      registerDevice(prisma, (await processA.resolve(apiKey.secret))!, { app_id: app.app.id, device_id: 'd' }, SECRET),
    ).rejects.toThrow(/pk_/);
  });

  it('revokes one device or a whole app, and only within the org', async () => {
    const target = await createTestApp(prisma, org.org.id);
    const principal = (await processA.resolve(target.ingestKey))!;
    const one = await registerDevice(prisma, principal, { app_id: target.app.id, device_id: 'one' }, SECRET);
    const two = await registerDevice(prisma, principal, { app_id: target.app.id, device_id: 'two' }, SECRET);
    await processA.resolve(one.token);
    await notFound(revokeDeviceTokens(prisma, processB, otherOrg.org.id, target.app.id, { type: 'SYSTEM' }));
    expect(await processA.resolve(one.token)).not.toBeNull();
    expect(
      await revokeDeviceTokens(prisma, processB, org.org.id, target.app.id, { type: 'SYSTEM' }, one.deviceId),
    ).toBe(1);
    expect(await processA.resolve(one.token)).toBeNull();
    expect(await processA.resolve(two.token)).not.toBeNull();
    expect(await revokeDeviceTokens(prisma, processB, org.org.id, target.app.id, { type: 'SYSTEM' })).toBe(1);
    expect(await processA.resolve(two.token)).toBeNull();
  });
});

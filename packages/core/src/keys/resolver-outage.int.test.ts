import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnreachable } from '../database-outage.ts';
import { AppError } from '../errors.ts';
import { createAppDirectory } from '../ingest/directory.ts';
import { registerDevice, rotateIngestKey } from '../tenancy/index.ts';
import { createTestApiKey, createTestApp, createTestOrg, startTcpProxy, type TcpProxy } from '../testing/index.ts';
import { hashKey } from './keys.ts';
import { createCredentialResolver, type CredentialResolver, type Principal } from './resolver.ts';

// PostgreSQL taken away by a TCP proxy (cut: connections closed, new ones refused) from
// resolvers and app directories that stand for api processes; the test itself reaches
// PostgreSQL directly, as another api process or the portal would during a partial outage.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'outage-secret-'.padEnd(40, 'x');
const namespace = `test-outage-${Math.random().toString(36).slice(2)}`;
let db: TestDatabase;
let direct: PrismaClient;
let proxy: TcpProxy;
let proxied: PrismaClient;
let redis: Redis;
const subscribers: Redis[] = [];
let clock = Date.now();
const now = () => clock;

/** An api process's resolver behind the proxy; `memory` subscribes it to invalidations. */
function apiResolver(memory: boolean): CredentialResolver {
  const subscriber = memory ? new Redis(REDIS_URL) : undefined;
  if (subscriber) subscribers.push(subscriber);
  return createCredentialResolver({ prisma: proxied, cache: redis, secret: SECRET, namespace, subscriber, now });
}

/** Lets the memo, the Redis cache and the breaker all run out, as a long outage would. */
async function outlastCaches(...credentials: string[]): Promise<void> {
  clock += 60_000;
  if (credentials.length > 0) await redis.del(...credentials.map((c) => `${namespace}:cred:${hashKey(c)}`));
}

async function unavailable(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'UNAVAILABLE');
}

beforeAll(async () => {
  db = await createTestDatabase();
  direct = createPrismaClient({ connectionString: db.url, max: 2 });
  const target = new URL(db.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  proxied = createPrismaClient({ connectionString: proxy.via(db.url), max: 2 });
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  await proxy.restore();
});

afterAll(async () => {
  for (const s of subscribers) s.disconnect();
  await proxied.$disconnect();
  await direct.$disconnect();
  await proxy.close();
  redis.disconnect();
  await db.drop();
});

describe('credentials while PostgreSQL cannot be reached', () => {
  it('serves the last known principal of every kind of key, in memory and to a process started during the outage', async () => {
    const org = await createTestOrg(direct);
    const app = await createTestApp(direct, org.org.id);
    const secret = await createTestApiKey(direct, org.org.id, ['ingest']);
    const a = apiResolver(true);
    await a.ready;
    const { token } = await registerDevice(
      direct,
      (await a.resolve(app.ingestKey))!,
      { app_id: app.app.id, device_id: 'dev-1' },
      SECRET,
    );
    const keys = [app.ingestKey, secret.secret, token];
    const before = await Promise.all(keys.map((k) => a.resolve(k)));
    expect(before.every((p) => p !== null)).toBe(true);

    await proxy.cut();
    await outlastCaches(...keys);
    expect(await Promise.all(keys.map((k) => a.resolve(k)))).toEqual(before);
    const restarted = apiResolver(false);
    expect(await Promise.all(keys.map((k) => restarted.resolve(k)))).toEqual(before);
  });

  it('answers 503, not 401, for a key it never saw: it cannot know', async () => {
    const org = await createTestOrg(direct);
    const unseen = await createTestApp(direct, org.org.id);
    const a = apiResolver(false);
    await proxy.cut();
    await unavailable(a.resolve(unseen.ingestKey));
    await unavailable(a.resolve('pk_neverIssued0123456789'));
    await proxy.restore();
    await outlastCaches();
    await expect.poll(() => a.resolve(unseen.ingestKey).catch(() => 'down'), { timeout: 5000 }).toMatchObject({
      appId: unseen.app.id,
    });
    expect(await a.resolve('pk_neverIssued0123456789')).toBeNull();
  });

  it('refuses a key revoked or an org suspended during the outage as soon as the invalidation is seen', async () => {
    const org = await createTestOrg(direct);
    const app = await createTestApp(direct, org.org.id);
    const secret = await createTestApiKey(direct, org.org.id, ['ingest']);
    const a = apiResolver(true);
    const b = apiResolver(false);
    // The portal or another api process, still reaching PostgreSQL.
    const admin = createCredentialResolver({ prisma: direct, cache: redis, secret: SECRET, namespace });
    await a.ready;
    for (const r of [a, b]) {
      expect(await r.resolve(app.ingestKey)).not.toBeNull();
      expect(await r.resolve(secret.secret)).not.toBeNull();
    }

    await proxy.cut();
    await outlastCaches(app.ingestKey, secret.secret);
    const { ingestKey: rotated } = await rotateIngestKey(direct, admin, org.org.id, app.app.id, { type: 'SYSTEM' });
    await expect.poll(() => a.resolve(app.ingestKey).catch((e: unknown) => e), { timeout: 2000 }).toBeInstanceOf(AppError);
    await unavailable(b.resolve(app.ingestKey));
    await unavailable(a.resolve(rotated));

    // What setOrganizationSuspended does, without making a platform admin for it.
    await direct.organization.update({ where: { id: org.org.id }, data: { suspended: true } });
    await admin.invalidateOrg(org.org.id);
    await expect.poll(() => a.resolve(secret.secret).catch((e: unknown) => e), { timeout: 2000 }).toBeInstanceOf(AppError);
    await unavailable(b.resolve(secret.secret));

    await proxy.restore();
    await outlastCaches();
    await expect.poll(() => a.resolve(app.ingestKey).catch(() => 'down'), { timeout: 5000 }).toBeNull();
    expect(await a.resolve(rotated)).toMatchObject({ appId: app.app.id, orgSuspended: true });
  });

  it('never lets a remembered principal override PostgreSQL saying the key is gone', async () => {
    const org = await createTestOrg(direct);
    const app = await createTestApp(direct, org.org.id);
    const a = apiResolver(true);
    await a.ready;
    expect(await a.resolve(app.ingestKey)).not.toBeNull();
    // Revoked behind the resolver's back (no invalidation reaches it): PostgreSQL's answer wins...
    await direct.ingestKey.updateMany({ where: { appId: app.app.id }, data: { revokedAt: new Date() } });
    await outlastCaches(app.ingestKey);
    expect(await a.resolve(app.ingestKey)).toBeNull();
    // ...and no copy of the old principal is left for an outage to serve.
    await proxy.cut();
    await outlastCaches(app.ingestKey);
    await unavailable(a.resolve(app.ingestKey));
    await unavailable(apiResolver(false).resolve(app.ingestKey));
  });

  it('tells a refused connection apart from an answer', async () => {
    await expect(proxied.$queryRawUnsafe('SELEC 1')).rejects.toSatisfy((e: unknown) => !isDatabaseUnreachable(e));
    await expect(proxied.$queryRawUnsafe("SELECT 1 / 0")).rejects.toSatisfy((e: unknown) => !isDatabaseUnreachable(e));
    await proxy.cut();
    await expect(proxied.app.findFirst()).rejects.toSatisfy(isDatabaseUnreachable);
  });
});

describe('app settings while PostgreSQL cannot be reached', () => {
  it('serves the last settings read, in this process and to one started during the outage; 503 for an app never seen', async () => {
    const org = await createTestOrg(direct);
    const app = await createTestApp(direct, org.org.id);
    const unseen = await createTestApp(direct, org.org.id);
    const lastKnown = { cache: redis, namespace, seconds: 3600 };
    const directory = createAppDirectory(proxied, { ttlMs: 1000, now, lastKnown });
    const principal: Principal = { kind: 'api_key', credentialId: 'k', orgId: org.org.id, scopes: ['ingest'], orgSuspended: false };
    const before = await directory.resolve(principal, app.app.id);
    expect(before).toMatchObject({ appId: app.app.id, orgId: org.org.id });

    await proxy.cut();
    clock += 60_000;
    expect(await directory.resolve(principal, app.app.id)).toEqual(before);
    const restarted = createAppDirectory(proxied, { ttlMs: 1000, now, lastKnown });
    expect(await restarted.resolve(principal, app.app.id)).toEqual(before);
    await unavailable(restarted.resolve(principal, unseen.app.id));
  });

  it('forgets an app PostgreSQL says is deleted, outage or not', async () => {
    const org = await createTestOrg(direct);
    const app = await createTestApp(direct, org.org.id);
    const lastKnown = { cache: redis, namespace, seconds: 3600 };
    const directory = createAppDirectory(proxied, { ttlMs: 1000, now, lastKnown });
    const principal: Principal = {
      kind: 'ingest_key',
      credentialId: 'k',
      orgId: org.org.id,
      appId: app.app.id,
      scopes: ['ingest'],
      orgSuspended: false,
    };
    expect(await directory.resolve(principal, undefined)).toMatchObject({ appId: app.app.id });
    await direct.app.update({ where: { id: app.app.id }, data: { deletedAt: new Date() } });
    clock += 60_000;
    await expect(directory.resolve(principal, undefined)).rejects.toThrow(/no longer exists/);
    await proxy.cut();
    await unavailable(createAppDirectory(proxied, { ttlMs: 1000, now, lastKnown }).resolve(principal, undefined));
  });
});

import type { PrismaClient } from '@sightline/db';
import { hashKey, keyKindOf } from './keys.ts';
import { verifyDeviceTokenSignature } from './device-token.ts';

export type CredentialKind = 'ingest_key' | 'device_token' | 'api_key';

/** Who is calling, resolved from a credential alone: never from the request body or path. */
export interface Principal {
  kind: CredentialKind;
  credentialId: string;
  orgId: string;
  appId?: number;
  /** The devices row a device token belongs to. */
  deviceId?: string;
  /** That device's stored (salted, hashed) id: events sent with its token carry this one. */
  deviceIdHash?: string;
  scopes: string[];
  orgSuspended: boolean;
}

/** The slice of a Redis client the resolver needs (ioredis satisfies it). */
export interface CredentialCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  sadd(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  expire(key: string, seconds: number): Promise<number>;
  hset(key: string, field: string, value: string): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  publish(channel: string, message: string): Promise<number>;
}

/** A Redis connection in subscriber mode (ioredis satisfies it). */
export interface InvalidationSubscriber {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close', listener: () => void): unknown;
}

// Redis keys live under a namespace: 'sightline' in production, a unique one per test run.
const DEFAULT_NAMESPACE = 'sightline';
const lastUsedKey = (namespace: string): string => `${namespace}:cred-last-used`;
const TOUCH_EVERY_MS = 60_000;

export interface ResolverOptions {
  prisma: PrismaClient;
  cache: CredentialCache;
  /** SIGHTLINE_SECRET: verifies device-token signatures. */
  secret: string;
  ttlSeconds?: number;
  now?: () => number;
  namespace?: string;
  /**
   * With a subscriber connection, resolved principals are also kept in process memory for
   * `memoMs` (default 5 s), so the hot path makes no Redis round trip; revocations reach
   * every process through Redis pub/sub and drop them at once. A process that loses the
   * subscription drops its memory and stops using it until it is back.
   */
  subscriber?: InvalidationSubscriber;
  memoMs?: number;
}

export interface CredentialResolver {
  /** The principal for a bearer credential, or null when unknown, revoked or expired. */
  resolve(credential: string): Promise<Principal | null>;
  /** Drops a credential from the cache at once (after revoke or rotate). */
  invalidate(credentialHash: string): Promise<void>;
  /** Drops every cached credential of an organization (after suspension, deletion). */
  invalidateOrg(orgId: string): Promise<void>;
}

export function createCredentialResolver(options: ResolverOptions): CredentialResolver {
  const { prisma, cache, secret } = options;
  const ttl = options.ttlSeconds ?? 30;
  const now = options.now ?? Date.now;
  const lastTouched = new Map<string, number>();
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const CACHE_PREFIX = `${namespace}:cred:`;
  const ORG_INDEX_PREFIX = `${namespace}:cred-org:`;
  const LAST_USED_KEY = lastUsedKey(namespace);
  const INVALIDATIONS = `${namespace}:cred-invalidate`;
  const memoMs = options.memoMs ?? 5_000;
  const memo = new Map<string, { principal: Principal; until: number }>();
  let memoLive = false;
  // Bumped by every invalidation: a lookup that raced one must not remember what it read.
  let generation = 0;

  if (options.subscriber) {
    const subscriber = options.subscriber;
    subscriber.on('message', (channel, message) => {
      if (channel !== INVALIDATIONS) return;
      generation++;
      if (message.startsWith('org:')) {
        const orgId = message.slice(4);
        for (const [hash, entry] of memo) if (entry.principal.orgId === orgId) memo.delete(hash);
      } else memo.delete(message.slice(5));
    });
    // Messages sent while disconnected are lost: forget everything, and trust memory again
    // only once subscribed again.
    subscriber.on('close', () => {
      memoLive = false;
      memo.clear();
    });
    const subscribe = () =>
      subscriber.subscribe(INVALIDATIONS).then(
        () => {
          memo.clear();
          memoLive = true;
        },
        () => undefined,
      );
    subscriber.on('ready', () => void subscribe());
    void subscribe();
  }

  function remember(hash: string, principal: Principal, seconds: number, readAt: number): void {
    if (!memoLive || readAt !== generation) return;
    if (memo.size > 50_000) memo.clear();
    memo.set(hash, { principal, until: now() + Math.min(memoMs, seconds * 1000) });
  }

  async function lookup(
    kind: CredentialKind,
    hash: string,
  ): Promise<{ principal: Principal; expiresAt: Date | null } | null> {
    const at = new Date(now());
    if (kind === 'ingest_key') {
      const key = await prisma.ingestKey.findUnique({
        where: { keyHash: hash },
        include: { app: { include: { org: true } } },
      });
      if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= at) || key.app.deletedAt || key.app.org.deletedAt)
        return null;
      return {
        principal: {
          kind,
          credentialId: key.id,
          orgId: key.orgId,
          appId: key.appId,
          scopes: ['ingest'],
          orgSuspended: key.app.org.suspended,
        },
        expiresAt: key.expiresAt,
      };
    }
    if (kind === 'api_key') {
      const key = await prisma.apiKey.findUnique({ where: { keyHash: hash }, include: { org: true } });
      if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= at) || key.org.deletedAt) return null;
      return {
        principal: {
          kind,
          credentialId: key.id,
          orgId: key.orgId,
          scopes: [...key.scopes],
          orgSuspended: key.org.suspended,
        },
        expiresAt: key.expiresAt,
      };
    }
    const token = await prisma.deviceToken.findUnique({
      where: { tokenHash: hash },
      include: { app: { include: { org: true } }, device: { select: { deviceIdHash: true } } },
    });
    if (!token || token.revokedAt || token.app.deletedAt || token.app.org.deletedAt) return null;
    return {
      principal: {
        kind,
        credentialId: token.id,
        orgId: token.orgId,
        appId: token.appId,
        deviceId: token.deviceId,
        deviceIdHash: token.device.deviceIdHash,
        scopes: ['ingest', 'privacy'],
        orgSuspended: token.app.org.suspended,
      },
      expiresAt: null,
    };
  }

  function touch(principal: Principal): void {
    // Last-used times go to Redis at most once a minute per credential and process; a
    // worker job copies them to PostgreSQL, so requests never write to the database.
    const last = lastTouched.get(principal.credentialId) ?? 0;
    if (now() - last < TOUCH_EVERY_MS) return;
    lastTouched.set(principal.credentialId, now());
    void cache.hset(LAST_USED_KEY, `${principal.kind}:${principal.credentialId}`, String(now())).catch(() => undefined);
  }

  return {
    async resolve(credential) {
      const prefix = keyKindOf(credential);
      if (!prefix) return null;
      if (prefix === 'dt' && !verifyDeviceTokenSignature(secret, credential)) return null;
      const kind: CredentialKind = prefix === 'pk' ? 'ingest_key' : prefix === 'sk' ? 'api_key' : 'device_token';
      const hash = hashKey(credential);
      const remembered = memoLive ? memo.get(hash) : undefined;
      if (remembered && remembered.until > now()) {
        touch(remembered.principal);
        return remembered.principal;
      }
      const readAt = generation;
      const cached = await cache.get(CACHE_PREFIX + hash);
      if (cached) {
        const principal = JSON.parse(cached) as Principal;
        remember(hash, principal, ttl, readAt);
        touch(principal);
        return principal;
      }
      const found = await lookup(kind, hash);
      if (!found) return null;
      const untilExpiry = found.expiresAt ? Math.floor((found.expiresAt.getTime() - now()) / 1000) : ttl;
      const seconds = Math.max(1, Math.min(ttl, untilExpiry));
      await cache.set(CACHE_PREFIX + hash, JSON.stringify(found.principal), 'EX', seconds);
      await cache.sadd(ORG_INDEX_PREFIX + found.principal.orgId, hash);
      await cache.expire(ORG_INDEX_PREFIX + found.principal.orgId, ttl * 2);
      remember(hash, found.principal, seconds, readAt);
      touch(found.principal);
      return found.principal;
    },
    async invalidate(credentialHash) {
      generation++;
      memo.delete(credentialHash);
      await cache.del(CACHE_PREFIX + credentialHash);
      await cache.publish(INVALIDATIONS, `cred:${credentialHash}`);
    },
    async invalidateOrg(orgId) {
      generation++;
      for (const [hash, entry] of memo) if (entry.principal.orgId === orgId) memo.delete(hash);
      const hashes = await cache.smembers(ORG_INDEX_PREFIX + orgId);
      if (hashes.length > 0) await cache.del(...hashes.map((h) => CACHE_PREFIX + h));
      await cache.del(ORG_INDEX_PREFIX + orgId);
      await cache.publish(INVALIDATIONS, `org:${orgId}`);
    },
  };
}

/** Copies last-used times from Redis to PostgreSQL (run by the worker every minute). */
export async function flushLastUsed(
  prisma: PrismaClient,
  cache: CredentialCache,
  namespace = DEFAULT_NAMESPACE,
): Promise<number> {
  const key = lastUsedKey(namespace);
  const entries = Object.entries(await cache.hgetall(key));
  for (const [field, value] of entries) {
    const [kind, id] = field.split(':');
    const at = new Date(Number(value));
    if (!id || Number.isNaN(at.getTime())) continue;
    const where = { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] };
    if (kind === 'api_key') await prisma.apiKey.updateMany({ where, data: { lastUsedAt: at } });
    else if (kind === 'ingest_key') await prisma.ingestKey.updateMany({ where, data: { lastUsedAt: at } });
    else if (kind === 'device_token') await prisma.deviceToken.updateMany({ where, data: { lastUsedAt: at } });
  }
  // A time written between the read and this delete is lost; the next use within a minute
  // writes it again, which is all a last-used time needs.
  if (entries.length > 0) await cache.hdel(key, ...entries.map(([field]) => field));
  return entries.length;
}

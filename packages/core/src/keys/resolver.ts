import type { PrismaClient } from '@sightline/db';
import { hashKey, keyKindOf } from './keys.ts';
import { verifyDeviceTokenSignature } from './device-token.ts';
import { AppError } from '../errors.ts';
import { createOutageBreaker, isDatabaseUnreachable } from '../database-outage.ts';
import { DEFAULT_NAMESPACE, lastUsedKey } from './last-used.ts';
import { lookupCredential } from './lookup.ts';

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
  /**
   * How long the last known principal of a credential is kept (Redis, and memory while
   * subscribed) to serve when PostgreSQL cannot be reached — only then, never when it
   * answers "no such key". Default one day.
   */
  lastKnownSeconds?: number;
}

/** What an outage may serve: the principal, and when the credential itself expires (ms). */
interface LastKnown {
  principal: Principal;
  expiresAt: number | null;
}

export interface CredentialResolver {
  /** The principal for a bearer credential, or null when unknown, revoked or expired. */
  resolve(credential: string): Promise<Principal | null>;
  /** Drops a credential from the caches and its last known copy at once (after revoke or rotate). */
  invalidate(credentialHash: string): Promise<void>;
  /** The same for every credential of an organization (after suspension, deletion). */
  invalidateOrg(orgId: string): Promise<void>;
  /**
   * Settles once the subscriber first listens for invalidations (at once without one): from
   * then on an invalidation published by any process reaches this one.
   */
  ready: Promise<void>;
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
  const KNOWN_PREFIX = `${namespace}:cred-known:`;
  const KNOWN_ORG_PREFIX = `${namespace}:cred-known-org:`;
  const lastKnownSeconds = options.lastKnownSeconds ?? 86_400;
  const memoMs = options.memoMs ?? 5_000;
  const memo = new Map<string, { principal: Principal; until: number }>();
  // The last principal PostgreSQL gave for each credential, kept past the memo and the cache
  // for outages; trusted under the same rule as the memo (subscribed to invalidations).
  const known = new Map<string, LastKnown>();
  const breaker = createOutageBreaker(1_000, now);
  let memoLive = false;
  // Bumped by every invalidation: a lookup that raced one must not remember what it read.
  let generation = 0;
  let subscribed: () => void = () => undefined;
  const ready = options.subscriber ? new Promise<void>((resolve) => (subscribed = resolve)) : Promise.resolve();

  if (options.subscriber) {
    const subscriber = options.subscriber;
    subscriber.on('message', (channel, message) => {
      if (channel !== INVALIDATIONS) return;
      generation++;
      if (message.startsWith('org:')) forgetOrg(message.slice(4));
      else forget(message.slice(5));
    });
    // Messages sent while disconnected are lost: forget everything, and trust memory again
    // only once subscribed again.
    subscriber.on('close', () => {
      memoLive = false;
      memo.clear();
      known.clear();
    });
    const subscribe = () =>
      subscriber.subscribe(INVALIDATIONS).then(
        () => {
          memo.clear();
          known.clear();
          memoLive = true;
          subscribed();
        },
        () => undefined,
      );
    subscriber.on('ready', () => void subscribe());
    void subscribe();
  }

  function forget(hash: string): void {
    memo.delete(hash);
    known.delete(hash);
  }

  function forgetOrg(orgId: string): void {
    for (const [hash, entry] of memo) if (entry.principal.orgId === orgId) memo.delete(hash);
    for (const [hash, entry] of known) if (entry.principal.orgId === orgId) known.delete(hash);
  }

  /** Keeps what PostgreSQL just said, unless an invalidation arrived while it was being read. */
  async function keepLastKnown(hash: string, entry: LastKnown, readAt: number): Promise<void> {
    if (readAt !== generation) return;
    const untilExpiry = entry.expiresAt === null ? lastKnownSeconds : Math.floor((entry.expiresAt - now()) / 1000);
    const seconds = Math.min(lastKnownSeconds, untilExpiry);
    if (seconds < 1) return;
    if (memoLive) {
      if (known.size > 100_000) known.clear();
      known.set(hash, entry);
    }
    const orgIndex = KNOWN_ORG_PREFIX + entry.principal.orgId;
    await Promise.all([
      cache.set(KNOWN_PREFIX + hash, JSON.stringify(entry), 'EX', seconds),
      cache.sadd(orgIndex, hash).then(() => cache.expire(orgIndex, lastKnownSeconds)),
    ]);
  }

  /**
   * PostgreSQL cannot be reached: the last known principal, if it has not expired since.
   * A credential never seen (or invalidated since) cannot be checked: 503, not 401.
   */
  async function lastKnown(hash: string, readAt: number): Promise<Principal> {
    let entry = memoLive ? known.get(hash) : undefined;
    if (!entry) {
      const stored = await cache.get(KNOWN_PREFIX + hash);
      entry = stored ? (JSON.parse(stored) as LastKnown) : undefined;
    }
    if (entry && (entry.expiresAt === null || entry.expiresAt > now())) {
      // The memo spares the next requests of the outage even the Redis round trip.
      remember(hash, entry.principal, ttl, readAt);
      touch(entry.principal);
      return entry.principal;
    }
    throw new AppError(
      'UNAVAILABLE',
      'the database is unreachable and this credential was not seen before; retry shortly',
      [],
      5,
    );
  }

  function remember(hash: string, principal: Principal, seconds: number, readAt: number): void {
    if (!memoLive || readAt !== generation) return;
    if (memo.size > 50_000) memo.clear();
    memo.set(hash, { principal, until: now() + Math.min(memoMs, seconds * 1000) });
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
    ready,
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
      if (breaker.open) return lastKnown(hash, readAt);
      let found;
      try {
        found = await lookupCredential(prisma, kind, hash, new Date(now()));
      } catch (error) {
        if (!isDatabaseUnreachable(error)) throw error;
        breaker.trip();
        return lastKnown(hash, readAt);
      }
      if (!found) {
        // PostgreSQL says no: nothing remembered may answer for this credential again.
        known.delete(hash);
        await cache.del(KNOWN_PREFIX + hash);
        return null;
      }
      const untilExpiry = found.expiresAt ? Math.floor((found.expiresAt.getTime() - now()) / 1000) : ttl;
      const seconds = Math.max(1, Math.min(ttl, untilExpiry));
      const orgIndex = ORG_INDEX_PREFIX + found.principal.orgId;
      await Promise.all([
        cache.set(CACHE_PREFIX + hash, JSON.stringify(found.principal), 'EX', seconds),
        cache.sadd(orgIndex, hash).then(() => cache.expire(orgIndex, ttl * 2)),
        keepLastKnown(hash, { principal: found.principal, expiresAt: found.expiresAt?.getTime() ?? null }, readAt),
      ]);
      remember(hash, found.principal, seconds, readAt);
      touch(found.principal);
      return found.principal;
    },
    async invalidate(credentialHash) {
      generation++;
      forget(credentialHash);
      await cache.del(CACHE_PREFIX + credentialHash, KNOWN_PREFIX + credentialHash);
      await cache.publish(INVALIDATIONS, `cred:${credentialHash}`);
    },
    async invalidateOrg(orgId) {
      generation++;
      forgetOrg(orgId);
      const [cached, lastKnownHashes] = await Promise.all([
        cache.smembers(ORG_INDEX_PREFIX + orgId),
        cache.smembers(KNOWN_ORG_PREFIX + orgId),
      ]);
      const doomed = [...cached.map((h) => CACHE_PREFIX + h), ...lastKnownHashes.map((h) => KNOWN_PREFIX + h)];
      if (doomed.length > 0) await cache.del(...doomed);
      await cache.del(ORG_INDEX_PREFIX + orgId, KNOWN_ORG_PREFIX + orgId);
      await cache.publish(INVALIDATIONS, `org:${orgId}`);
    },
  };
}

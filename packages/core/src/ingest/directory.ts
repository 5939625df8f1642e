import type { PrismaClient } from '@sightline/db';
import { createOutageBreaker, isDatabaseUnreachable } from '../database-outage.ts';
import { AppError } from '../errors.ts';
import type { CredentialCache, Principal } from '../keys/resolver.ts';
import { namesApp } from '../tenancy/devices.ts';
import type { IngestApp } from './request.ts';

export interface IngestTarget extends IngestApp {
  deviceIdSalt: string;
  monthlyEventQuota: number;
  monthlyCrashQuota: number;
}

const APP_FIELDS = {
  id: true,
  orgId: true,
  bundleId: true,
  allowedOrigins: true,
  sampleRate: true,
  ipPolicy: true,
  respectDoNotTrack: true,
  scrubFields: true,
  rawEventRetentionDays: true,
  deviceIdSalt: true,
  org: { select: { monthlyEventQuota: true, monthlyCrashQuota: true } },
} as const;

export interface AppDirectoryOptions {
  /** How long settings read from PostgreSQL are used before reading them again (default 5 s). */
  ttlMs?: number;
  now?: () => number;
  /**
   * Where the last known settings of each app are kept for outages (Redis), so that an api
   * process that starts or drops its memory while PostgreSQL is unreachable can still serve
   * the apps it sent to before. Without it, only this process's memory serves.
   */
  lastKnown?: { cache: Pick<CredentialCache, 'get' | 'set' | 'del'>; namespace: string; seconds: number };
}

// A last known copy in Redis is rewritten at most this often while it does not change.
const REFRESH_LAST_KNOWN_MS = 60_000;

/**
 * The app a telemetry request lands in. The credential decides: an ingest key or device
 * token is bound to one app (a body `app_id` naming another is not found); a secret key with
 * the `ingest` scope picks one of its org's apps by the body's `app_id`. Settings are cached
 * for a few seconds per process, so a hot path does no database read; while the database
 * cannot be reached, the last settings read (here, or by any process through Redis) keep
 * being used — only then: an answer from PostgreSQL, "no such app" included, always wins.
 */
export function createAppDirectory(prisma: PrismaClient, options: number | AppDirectoryOptions = {}) {
  const { ttlMs = 5_000, now = Date.now, lastKnown } = typeof options === 'number' ? { ttlMs: options } : options;
  const cache = new Map<string, { at: number; app: IngestTarget | null; keptAt: number }>();
  const breaker = createOutageBreaker(1_000, now);
  const lastKnownKey = (key: string) => `${lastKnown?.namespace ?? ''}:app-known:${key}`;

  /** PostgreSQL unreachable: this process's last read, else the shared last known copy, else 503. */
  async function fallback(key: string, hit: { app: IngestTarget | null } | undefined): Promise<IngestTarget | null> {
    if (hit) return hit.app;
    const stored = lastKnown ? await lastKnown.cache.get(lastKnownKey(key)) : null;
    if (stored) {
      const app = JSON.parse(stored) as IngestTarget;
      cache.set(key, { at: -Infinity, app, keptAt: now() });
      return app;
    }
    throw new AppError(
      'UNAVAILABLE',
      'the database is unreachable and this app was not seen before; retry shortly',
      [],
      5,
    );
  }

  /** Keeps the settings PostgreSQL gave where other processes find them during an outage. */
  async function keep(
    key: string,
    app: IngestTarget | null,
    previous: { app: IngestTarget | null; keptAt: number } | undefined,
  ) {
    if (!lastKnown) return 0;
    if (!app) {
      await lastKnown.cache.del(lastKnownKey(key));
      return now();
    }
    const unchanged = previous?.app && JSON.stringify(previous.app) === JSON.stringify(app);
    if (unchanged && now() - previous.keptAt < REFRESH_LAST_KNOWN_MS) return previous.keptAt;
    // Failing to keep a spare copy must not fail the request that PostgreSQL just answered.
    return lastKnown.cache.set(lastKnownKey(key), JSON.stringify(app), 'EX', lastKnown.seconds).then(
      () => now(),
      () => previous?.keptAt ?? 0,
    );
  }

  async function load(
    where: { id: number; orgId: string } | { orgId: string; bundleId: string },
  ): Promise<IngestTarget | null> {
    const key = 'id' in where ? `${where.orgId}:#${where.id}` : `${where.orgId}:${where.bundleId}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.app;
    if (breaker.open) return fallback(key, hit);
    let row;
    try {
      row = await prisma.app.findFirst({ where: { ...where, deletedAt: null }, select: APP_FIELDS });
    } catch (error) {
      // PostgreSQL down: the last known settings keep ingestion going (Redis buffers it).
      if (!isDatabaseUnreachable(error)) throw error;
      breaker.trip();
      return fallback(key, hit);
    }
    const app = row
      ? {
          orgId: row.orgId,
          appId: row.id,
          bundleId: row.bundleId,
          allowedOrigins: row.allowedOrigins,
          sampleRate: row.sampleRate,
          ipPolicy: row.ipPolicy,
          respectDoNotTrack: row.respectDoNotTrack,
          scrubFields: row.scrubFields,
          rawEventRetentionDays: row.rawEventRetentionDays,
          deviceIdSalt: row.deviceIdSalt,
          monthlyEventQuota: Number(row.org.monthlyEventQuota),
          monthlyCrashQuota: Number(row.org.monthlyCrashQuota),
        }
      : null;
    const keptAt = await keep(key, app, hit);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: now(), app, keptAt });
    return app;
  }

  return {
    async resolve(principal: Principal, appRef: string | number | undefined): Promise<IngestTarget> {
      if (principal.appId !== undefined) {
        const app = await load({ id: principal.appId, orgId: principal.orgId });
        if (!app) throw new AppError('UNAUTHORIZED', "this key's app no longer exists");
        if (appRef !== undefined && !namesApp({ id: app.appId, bundleId: app.bundleId }, appRef)) {
          throw new AppError(
            'NOT_FOUND',
            `app ${String(appRef)} not found for this key; it sends to ${app.bundleId} (id ${app.appId})`,
          );
        }
        return app;
      }
      if (!principal.scopes.includes('ingest'))
        throw new AppError('FORBIDDEN', 'this secret key lacks the ingest scope');
      if (appRef === undefined) throw new AppError('BAD_REQUEST', 'app_id is required when sending with a secret key');
      const numeric = typeof appRef === 'number' ? appRef : /^\d{1,9}$/.test(appRef) ? Number(appRef) : null;
      const app =
        (numeric !== null ? await load({ id: numeric, orgId: principal.orgId }) : null) ??
        (typeof appRef === 'string' ? await load({ orgId: principal.orgId, bundleId: appRef }) : null);
      if (!app) throw new AppError('NOT_FOUND', `app ${String(appRef)} not found`);
      return app;
    },
  };
}

export type AppDirectory = ReturnType<typeof createAppDirectory>;

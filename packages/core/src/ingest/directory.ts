import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { namesApp } from '../tenancy/devices.ts';
import type { IngestApp } from './pipeline.ts';

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

/**
 * The app a telemetry request lands in. The credential decides: an ingest key or device
 * token is bound to one app (a body `app_id` naming another is not found); a secret key with
 * the `ingest` scope picks one of its org's apps by the body's `app_id`. Settings are cached
 * for a few seconds per process, so a hot path does no database read; while the database
 * does not answer, the last settings read keep being used.
 */
export function createAppDirectory(prisma: PrismaClient, ttlMs = 5_000, now: () => number = Date.now) {
  const cache = new Map<string, { at: number; app: IngestTarget | null }>();

  async function load(
    where: { id: number; orgId: string } | { orgId: string; bundleId: string },
  ): Promise<IngestTarget | null> {
    const key = 'id' in where ? `${where.orgId}:#${where.id}` : `${where.orgId}:${where.bundleId}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.app;
    let row;
    try {
      row = await prisma.app.findFirst({ where: { ...where, deletedAt: null }, select: APP_FIELDS });
    } catch (error) {
      // PostgreSQL down: the last known settings keep ingestion going (Redis buffers it).
      if (hit) return hit.app;
      throw error;
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
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: now(), app });
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

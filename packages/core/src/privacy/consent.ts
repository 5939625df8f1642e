import type { PrismaClient } from '@sightline/db';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { parseInput } from '../tenancy/validate.ts';

// What a device's owner agreed to (seed "Privacy Controls": crash reports on, usage
// analytics separate): opted out of everything, usage analytics off, or crash reports off.
// An app can make usage analytics opt-in: then only devices that said yes are counted.
// The flags live on the device record; the worker drops what they refuse before storing
// it, so the api's ingestion path stays one credential check.

export const privacySettingsInput = z
  .object({
    opted_out: z.boolean().optional(),
    analytics_enabled: z.boolean().optional(),
    crash_reports_enabled: z.boolean().optional(),
  })
  .strict()
  .refine(
    (v) => Object.values(v).some((x) => x !== undefined),
    'name at least one of opted_out, analytics_enabled, crash_reports_enabled',
  );

export interface PrivacySettings {
  opted_out: boolean;
  /** Whether usage analytics of this device are stored (under opt-in, only after a yes). */
  analytics_enabled: boolean;
  crash_reports_enabled: boolean;
  /** The app's policy, for the SDK: ask before sending usage analytics; honour Do-Not-Track. */
  app: { analytics_opt_in: boolean; respect_do_not_track: boolean };
}

function requireDevice(principal: Principal) {
  if (principal.kind !== 'device_token' || principal.appId === undefined || !principal.deviceId) {
    throw new AppError('FORBIDDEN', 'privacy settings belong to a device: use its device token (dt_…)');
  }
  return { orgId: principal.orgId, appId: principal.appId, id: principal.deviceId };
}

/** `GET` and `PUT /v1/privacy/settings`: the device's consent, read or changed. */
export async function devicePrivacySettings(
  prisma: PrismaClient,
  principal: Principal,
  change?: unknown,
): Promise<PrivacySettings> {
  const where = requireDevice(principal);
  const data = change === undefined ? null : parseInput(privacySettingsInput, change);
  const device = await prisma.device.findFirst({
    where,
    include: { app: { select: { analyticsOptIn: true, respectDoNotTrack: true } } },
  });
  if (!device) throw new AppError('NOT_FOUND', 'this device is not known (it may have been deleted)');
  const updated = data
    ? {
        ...device,
        ...(await prisma.device.update({
          where: { id: device.id },
          data: {
            ...(data.opted_out !== undefined ? { optedOut: data.opted_out } : {}),
            ...(data.analytics_enabled !== undefined
              ? {
                  analyticsEnabled: data.analytics_enabled,
                  analyticsConsentAt: data.analytics_enabled ? new Date() : null,
                }
              : {}),
            ...(data.crash_reports_enabled !== undefined ? { crashesEnabled: data.crash_reports_enabled } : {}),
          },
        })),
      }
    : device;
  return {
    opted_out: updated.optedOut,
    analytics_enabled: updated.analyticsEnabled && (!device.app.analyticsOptIn || updated.analyticsConsentAt !== null),
    crash_reports_enabled: updated.crashesEnabled,
    app: { analytics_opt_in: device.app.analyticsOptIn, respect_do_not_track: device.app.respectDoNotTrack },
  };
}

/**
 * What of a batch must not be stored: rows of devices that opted out, turned this kind of
 * data off, or — in an app that asks for analytics consent — never said yes; and rows a
 * device recorded before it asked for its data to be deleted (still queued on it, or on
 * their way, when the deletion ran). What it records afterwards is new data and is kept.
 */
export async function refusingDevices(
  pool: pg.Pool,
  rows: ReadonlyArray<{ orgId: string; appId: number; deviceId: string }>,
  purpose: 'analytics' | 'crashes',
): Promise<(row: { appId: number; deviceId: string; occurredAt: number | Date }) => boolean> {
  const unique = new Map(rows.map((r) => [`${r.orgId}:${r.appId}:${r.deviceId}`, r]));
  if (unique.size === 0) return () => false;
  const list = [...unique.values()];
  const { rows: found } = await pool.query<{
    app_id: number;
    device_id: string;
    refused: boolean;
    deleted_at: Date | null;
  }>(
    `SELECT t.app_id, t.device_id,
       COALESCE(d.opted_out OR ${
         purpose === 'analytics'
           ? 'NOT d.analytics_enabled OR (a.analytics_opt_in AND d.analytics_consent_at IS NULL)'
           : 'NOT d.crashes_enabled'
       }, false) AS refused,
       (SELECT max(g.created_at) FROM gdpr_requests g
         WHERE g.org_id = t.org_id AND g.app_id = t.app_id AND g.kind = 'DELETE' AND g.subject_type = 'DEVICE'
           AND g.subject_key = t.device_id) AS deleted_at
     FROM unnest($1::uuid[], $2::int[], $3::text[]) AS t(org_id, app_id, device_id)
     JOIN apps a ON a.org_id = t.org_id AND a.id = t.app_id
     LEFT JOIN devices d ON d.org_id = t.org_id AND d.app_id = t.app_id AND d.device_id_hash = t.device_id`,
    [list.map((r) => r.orgId), list.map((r) => r.appId), list.map((r) => r.deviceId)],
  );
  const refused = new Set<string>();
  const deletedAt = new Map<string, number>();
  for (const r of found) {
    if (r.refused) refused.add(`${r.app_id}:${r.device_id}`);
    else if (r.deleted_at) deletedAt.set(`${r.app_id}:${r.device_id}`, r.deleted_at.getTime());
  }
  if (refused.size === 0 && deletedAt.size === 0) return () => false;
  return (row) => {
    const key = `${row.appId}:${row.deviceId}`;
    if (refused.has(key)) return true;
    const cutoff = deletedAt.get(key);
    const at = typeof row.occurredAt === 'number' ? row.occurredAt : row.occurredAt.getTime();
    return cutoff !== undefined && at <= cutoff;
  };
}

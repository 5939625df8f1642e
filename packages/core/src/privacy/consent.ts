import type { PrismaClient } from '@sightline/db';
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Principal } from '../keys/resolver.ts';
import { parseInput } from '../tenancy/validate.ts';

// What a device's owner agreed to (seed "Privacy Controls": crash reports on, usage
// analytics separate): opted out of everything, usage analytics off, or crash reports off.
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
  analytics_enabled: boolean;
  crash_reports_enabled: boolean;
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
  const device = await prisma.device.findFirst({ where });
  if (!device) throw new AppError('NOT_FOUND', 'this device is not known (it may have been deleted)');
  const updated = data
    ? await prisma.device.update({
        where: { id: device.id },
        data: {
          ...(data.opted_out !== undefined ? { optedOut: data.opted_out } : {}),
          ...(data.analytics_enabled !== undefined ? { analyticsEnabled: data.analytics_enabled } : {}),
          ...(data.crash_reports_enabled !== undefined ? { crashesEnabled: data.crash_reports_enabled } : {}),
        },
      })
    : device;
  return {
    opted_out: updated.optedOut,
    analytics_enabled: updated.analyticsEnabled,
    crash_reports_enabled: updated.crashesEnabled,
  };
}

/**
 * Of the devices in a batch, those that refused this kind of data: `${appId}:${deviceId}`
 * keys of opted-out devices, and of those with usage analytics (or crash reports) off.
 */
export async function refusingDevices(
  pool: pg.Pool,
  rows: ReadonlyArray<{ orgId: string; appId: number; deviceId: string }>,
  purpose: 'analytics' | 'crashes',
): Promise<Set<string>> {
  const unique = new Map(rows.map((r) => [`${r.orgId}:${r.appId}:${r.deviceId}`, r]));
  if (unique.size === 0) return new Set();
  const list = [...unique.values()];
  const { rows: refused } = await pool.query<{ app_id: number; device_id_hash: string }>(
    `SELECT d.app_id, d.device_id_hash FROM devices d
     JOIN unnest($1::uuid[], $2::int[], $3::text[]) AS t(org_id, app_id, device_id)
       ON d.org_id = t.org_id AND d.app_id = t.app_id AND d.device_id_hash = t.device_id
     WHERE d.opted_out OR NOT ${purpose === 'analytics' ? 'd.analytics_enabled' : 'd.crashes_enabled'}`,
    [list.map((r) => r.orgId), list.map((r) => r.appId), list.map((r) => r.deviceId)],
  );
  return new Set(refused.map((r) => `${r.app_id}:${r.device_id_hash}`));
}

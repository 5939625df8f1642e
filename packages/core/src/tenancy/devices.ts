import { createHash } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { issueDeviceToken } from '../keys/device-token.ts';
import type { Principal } from '../keys/resolver.ts';
import { parseInput } from './validate.ts';

export const registerDeviceInput = z.object({
  /** Optional: the pk_ key already names its app; when given, it must be that app. */
  app_id: z.union([z.string().trim().min(1).max(200), z.number().int().positive()]).optional(),
  device_id: z.string().trim().min(1, 'is required').max(256),
});

/**
 * The stored form of a device id: SHA-256 of the app's salt and the id the SDK sent (which
 * the SDK has already hashed on the device, seed "Device ID Hashing"). Per-app salts mean
 * one device cannot be followed across apps, even by us.
 */
export function hashDeviceId(appSalt: string, deviceId: string): string {
  return createHash('sha256').update(appSalt).update(':').update(deviceId).digest('hex');
}

/** Whether a body's `app_id` (bundle id or numeric id) names the credential's own app. */
export function namesApp(app: { id: number; bundleId: string }, appRef: string | number): boolean {
  return typeof appRef === 'number' ? appRef === app.id : appRef === app.bundleId || appRef === String(app.id);
}

/** `POST /v1/devices/register`: a `pk_` key and `{app_id, device_id}` → a `dt_` token. */
export async function registerDevice(
  prisma: PrismaClient,
  principal: Principal,
  input: unknown,
  secret: string,
): Promise<{ token: string; deviceId: string }> {
  if (principal.kind !== 'ingest_key' || principal.appId === undefined) {
    throw new AppError('FORBIDDEN', 'register devices with the app\'s public ingest key (pk_…)');
  }
  const data = parseInput(registerDeviceInput, input);
  const app = await prisma.app.findFirst({ where: { id: principal.appId, orgId: principal.orgId, deletedAt: null } });
  // Another app's id, even one of the same org, is simply not found for this key.
  if (!app || (data.app_id !== undefined && !namesApp(app, data.app_id))) {
    throw new AppError('NOT_FOUND', `app ${String(data.app_id ?? principal.appId)} not found`);
  }

  const deviceIdHash = hashDeviceId(app.deviceIdSalt, data.device_id);
  const issued = issueDeviceToken(secret);
  return prisma.$transaction(async (tx) => {
    const device = await tx.device.upsert({
      where: { orgId_appId_deviceIdHash: { orgId: app.orgId, appId: app.id, deviceIdHash } },
      create: { orgId: app.orgId, appId: app.id, deviceIdHash },
      update: { lastSeenAt: new Date() },
    });
    await tx.deviceToken.create({
      data: { orgId: app.orgId, appId: app.id, deviceId: device.id, prefix: issued.prefix, tokenHash: issued.hash },
    });
    return { token: issued.token, deviceId: device.id };
  });
}

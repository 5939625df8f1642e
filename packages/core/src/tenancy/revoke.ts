import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { generateKey } from '../keys/keys.ts';
import type { CredentialResolver } from '../keys/resolver.ts';
import { recordAudit, type Actor } from './audit.ts';

/** Revokes a secret key; it stops working everywhere as soon as this returns. */
export async function revokeApiKey(
  prisma: PrismaClient,
  resolver: CredentialResolver,
  orgId: string,
  keyId: string,
  actor: Actor,
): Promise<void> {
  const key = isUuid(keyId) ? await prisma.apiKey.findFirst({ where: { id: keyId, orgId } }) : null;
  if (!key) throw new AppError('NOT_FOUND', `API key ${keyId} not found`);
  if (!key.revokedAt) {
    await prisma.$transaction(async (tx) => {
      await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
      await recordAudit(tx, orgId, actor, 'api_key.revoked', { type: 'api_key', id: key.id }, { name: key.name });
    });
  }
  await resolver.invalidate(key.keyHash);
}

/**
 * Issues a new `pk_` key for an app. The old keys keep working for `graceHours` (0 ends
 * them at once) so deployed SDKs can move over; returns the new key (kept: `pk_` keys are public).
 */
export async function rotateIngestKey(
  prisma: PrismaClient,
  resolver: CredentialResolver,
  orgId: string,
  appId: number,
  actor: Actor,
  graceHours = 0,
): Promise<{ ingestKey: string }> {
  const app = Number.isSafeInteger(appId) ? await prisma.app.findFirst({ where: { id: appId, orgId, deletedAt: null } }) : null;
  if (!app) throw new AppError('NOT_FOUND', `app ${appId} not found`);
  const fresh = generateKey('pk');
  const endsAt = new Date(Date.now() + graceHours * 3_600_000);
  const old = await prisma.$transaction(async (tx) => {
    const current = await tx.ingestKey.findMany({ where: { appId: app.id, orgId, revokedAt: null } });
    for (const key of current) {
      await tx.ingestKey.update({
        where: { id: key.id },
        data: graceHours > 0 ? { expiresAt: key.expiresAt && key.expiresAt < endsAt ? key.expiresAt : endsAt } : { revokedAt: new Date() },
      });
    }
    await tx.ingestKey.create({
      data: { orgId, appId: app.id, prefix: fresh.prefix, keyHash: fresh.hash, plaintext: fresh.key },
    });
    await recordAudit(tx, orgId, actor, 'ingest_key.rotated', { type: 'app', id: String(app.id) }, { graceHours });
    return current;
  });
  await Promise.all(old.map((key) => resolver.invalidate(key.keyHash)));
  return { ingestKey: fresh.key };
}

/** Revokes device tokens of one app: all of them, or one device's. Returns how many. */
export async function revokeDeviceTokens(
  prisma: PrismaClient,
  resolver: CredentialResolver,
  orgId: string,
  appId: number,
  actor: Actor,
  deviceId?: string,
): Promise<number> {
  const app = Number.isSafeInteger(appId) ? await prisma.app.findFirst({ where: { id: appId, orgId } }) : null;
  if (!app) throw new AppError('NOT_FOUND', `app ${appId} not found`);
  if (deviceId !== undefined && !isUuid(deviceId)) throw new AppError('NOT_FOUND', `device ${deviceId} not found`);
  const where = { orgId, appId: app.id, revokedAt: null, ...(deviceId ? { deviceId } : {}) };
  const tokens = await prisma.deviceToken.findMany({ where, select: { id: true, tokenHash: true } });
  if (tokens.length === 0) return 0;
  await prisma.$transaction(async (tx) => {
    await tx.deviceToken.updateMany({ where: { id: { in: tokens.map((t) => t.id) } }, data: { revokedAt: new Date() } });
    await recordAudit(tx, orgId, actor, 'device_tokens.revoked', { type: 'app', id: String(app.id) }, { count: tokens.length, deviceId: deviceId ?? null });
  });
  await Promise.all(tokens.map((t) => resolver.invalidate(t.tokenHash)));
  return tokens.length;
}

import type { PrismaClient } from '@sightline/db';
import type { CredentialKind, Principal } from './resolver.ts';

/** One credential as PostgreSQL knows it now; null when unknown, revoked, expired or its app/org deleted. */
export async function lookupCredential(
  prisma: PrismaClient,
  kind: CredentialKind,
  hash: string,
  at: Date,
): Promise<{ principal: Principal; expiresAt: Date | null } | null> {
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

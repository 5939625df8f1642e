import type { PrismaClient } from '@sightline/db';
import type { CredentialResolver } from '../keys/resolver.ts';
import { createApiKey } from './api-keys.ts';
import { getApp } from './app-settings.ts';
import { buildDsn, createApp } from './apps.ts';
import type { OrgActor } from './members.ts';
import { assertCan } from './permissions.ts';
import { revokeApiKey, revokeDeviceTokens, rotateIngestKey } from './revoke.ts';
import type { CreateApiKeyInput, CreateAppInput } from '../contracts/tenancy.ts';

// The operations the portal (tRPC) and integrations (GraphQL) both offer, as one actor acting
// in its own organization: the permission check lives here, so no surface can forget it.

/** Creates an app; returns it with its `pk_` key and DSN, both shown once. */
export async function createAppAs(prisma: PrismaClient, actor: OrgActor, input: CreateAppInput, publicApiUrl: string) {
  assertCan(actor.role, 'app.create');
  const created = await createApp(prisma, actor.orgId, input, actor.audit);
  const app = await getApp(prisma, actor, created.app.id);
  return { app, ingestKey: created.ingestKey, dsn: buildDsn(publicApiUrl, created.ingestKey, app.id) };
}

export async function rotateIngestKeyAs(
  prisma: PrismaClient,
  resolver: CredentialResolver,
  actor: OrgActor,
  appId: number,
  graceHours: number,
  publicApiUrl: string,
) {
  assertCan(actor.role, 'app.rotateIngestKey');
  const { ingestKey } = await rotateIngestKey(prisma, resolver, actor.orgId, appId, actor.audit, graceHours);
  return { ingestKey, dsn: buildDsn(publicApiUrl, ingestKey, appId) };
}

/** Creates a secret key; the `sk_` secret is returned once. */
export async function createApiKeyAs(prisma: PrismaClient, actor: OrgActor, input: CreateApiKeyInput) {
  assertCan(actor.role, 'apiKey.create');
  const created = await createApiKey(prisma, actor.orgId, input, actor.audit);
  return { apiKey: { ...created.apiKey, lastUsedAt: null, revokedAt: null }, secret: created.secret };
}

export async function revokeApiKeyAs(
  prisma: PrismaClient,
  resolver: CredentialResolver,
  actor: OrgActor,
  keyId: string,
): Promise<void> {
  assertCan(actor.role, 'apiKey.revoke');
  await revokeApiKey(prisma, resolver, actor.orgId, keyId, actor.audit);
}

/** Revokes the device tokens of one app, or of one device of it; returns how many. */
export async function revokeDeviceTokensAs(
  prisma: PrismaClient,
  resolver: CredentialResolver,
  actor: OrgActor,
  appId: number,
  deviceId?: string,
): Promise<number> {
  assertCan(actor.role, 'deviceToken.revoke');
  return revokeDeviceTokens(prisma, resolver, actor.orgId, appId, actor.audit, deviceId);
}

import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { createApiKey, createApp, createOrganization, type CreatedApp } from '../tenancy/index.ts';

const unique = (): string => randomBytes(4).toString('hex');

export async function createTestOrg(prisma: PrismaClient, overrides: { name?: string; ownerEmail?: string } = {}) {
  const suffix = unique();
  return createOrganization(prisma, {
    name: overrides.name ?? `Test Org ${suffix}`,
    ownerEmail: overrides.ownerEmail ?? `owner-${suffix}@example.test`,
    ownerPassword: 'correct horse battery staple',
  });
}

export async function createTestApp(
  prisma: PrismaClient,
  orgId: string,
  overrides: { name?: string; bundleId?: string } = {},
): Promise<CreatedApp> {
  const suffix = unique();
  return createApp(prisma, orgId, {
    name: overrides.name ?? `Test App ${suffix}`,
    bundleId: overrides.bundleId ?? `com.example.app${suffix}`,
    platform: 'WEB',
  });
}

export async function createTestApiKey(
  prisma: PrismaClient,
  orgId: string,
  scopes: Array<'ingest' | 'read' | 'write' | 'admin'> = ['read'],
) {
  return createApiKey(prisma, orgId, { name: `test key ${unique()}`, scopes });
}

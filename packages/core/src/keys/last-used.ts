import type { PrismaClient } from '@sightline/db';
import type { CredentialCache } from './resolver.ts';

// Redis keys live under a namespace: 'sightline' in production, a unique one per test run.
export const DEFAULT_NAMESPACE = 'sightline';
export const lastUsedKey = (namespace: string): string => `${namespace}:cred-last-used`;

/** Copies last-used times from Redis to PostgreSQL (run by the worker every minute). */
export async function flushLastUsed(
  prisma: PrismaClient,
  cache: CredentialCache,
  namespace = DEFAULT_NAMESPACE,
): Promise<number> {
  const key = lastUsedKey(namespace);
  const entries = Object.entries(await cache.hgetall(key));
  for (const [field, value] of entries) {
    const [kind, id] = field.split(':');
    const at = new Date(Number(value));
    if (!id || Number.isNaN(at.getTime())) continue;
    const where = { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] };
    if (kind === 'api_key') await prisma.apiKey.updateMany({ where, data: { lastUsedAt: at } });
    else if (kind === 'ingest_key') await prisma.ingestKey.updateMany({ where, data: { lastUsedAt: at } });
    else if (kind === 'device_token') await prisma.deviceToken.updateMany({ where, data: { lastUsedAt: at } });
  }
  // A time written between the read and this delete is lost; the next use within a minute
  // writes it again, which is all a last-used time needs.
  if (entries.length > 0) await cache.hdel(key, ...entries.map(([field]) => field));
  return entries.length;
}

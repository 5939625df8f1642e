import type { PrismaClient } from '@sightline/db';
import { generateKey } from '../keys/index.ts';
import { recordAudit, type Actor } from './audit.ts';
import { requireOrganization } from './organizations.ts';
import { createApiKeyInput, type CreateApiKeyInput } from '../contracts/tenancy.ts';
import { parseInput } from './validate.ts';

export interface CreatedApiKey {
  apiKey: { id: string; orgId: string; name: string; prefix: string; scopes: string[]; createdAt: Date };
  /** The `sk_` secret, shown once; only its hash is stored. */
  secret: string;
}

export async function createApiKey(
  prisma: PrismaClient,
  orgId: string,
  input: CreateApiKeyInput,
  actor: Actor = { type: 'SYSTEM' },
): Promise<CreatedApiKey> {
  const data = parseInput(createApiKeyInput, input);
  await requireOrganization(prisma, orgId);

  const secret = generateKey('sk');
  return prisma.$transaction(async (tx) => {
    const apiKey = await tx.apiKey.create({
      data: {
        orgId,
        name: data.name,
        prefix: secret.prefix,
        keyHash: secret.hash,
        scopes: data.scopes,
        createdById: actor.type === 'USER' ? actor.id : null,
      },
    });
    await recordAudit(tx, orgId, actor, 'api_key.created', { type: 'api_key', id: apiKey.id }, {
      name: apiKey.name,
      scopes: apiKey.scopes,
    });
    return {
      apiKey: { id: apiKey.id, orgId, name: apiKey.name, prefix: apiKey.prefix, scopes: apiKey.scopes, createdAt: apiKey.createdAt },
      secret: secret.key,
    };
  });
}

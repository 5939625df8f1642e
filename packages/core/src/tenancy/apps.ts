import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { generateKey } from '../keys/index.ts';
import { recordAudit, type Actor } from './audit.ts';
import { requireOrganization } from './organizations.ts';
import { createAppInput, type CreateAppInput } from '../contracts/tenancy.ts';
import { parseInput } from './validate.ts';

export interface CreatedApp {
  app: { id: number; orgId: string; name: string; bundleId: string; platform: string };
  /** The `pk_` ingest key (public; the portal can show it again). */
  ingestKey: string;
}

/** `http://pk_…@host:4000/<app id>`: what official Sentry SDKs accept as a DSN. */
export function buildDsn(publicApiUrl: string, ingestKey: string, appId: number): string {
  const url = new URL(publicApiUrl);
  url.username = ingestKey;
  url.pathname = `${url.pathname.replace(/(?<!\/)\/+$/, '')}/${appId}`;
  return url.toString();
}

export async function createApp(
  prisma: PrismaClient,
  orgId: string,
  input: CreateAppInput,
  actor: Actor = { type: 'SYSTEM' },
): Promise<CreatedApp> {
  const data = parseInput(createAppInput, input);
  await requireOrganization(prisma, orgId);
  const clash = await prisma.app.findFirst({ where: { orgId, bundleId: data.bundleId }, select: { id: true } });
  if (clash) throw new AppError('CONFLICT', `an app with bundle id ${data.bundleId} already exists in this organization`);

  const ingestKey = generateKey('pk');
  return prisma.$transaction(async (tx) => {
    const app = await tx.app.create({
      data: {
        orgId,
        name: data.name,
        bundleId: data.bundleId,
        platform: data.platform,
        allowedOrigins: data.allowedOrigins.map((o) => new URL(o).origin),
      },
    });
    await tx.ingestKey.create({
      data: { orgId, appId: app.id, prefix: ingestKey.prefix, keyHash: ingestKey.hash, plaintext: ingestKey.key },
    });
    await recordAudit(tx, orgId, actor, 'app.created', { type: 'app', id: String(app.id) }, { name: app.name });
    return {
      app: { id: app.id, orgId, name: app.name, bundleId: app.bundleId, platform: app.platform },
      ingestKey: ingestKey.key,
    };
  });
}

import { AppError, API_SCOPES, isUuid, buildDsn, createApiKey, createApp, createOrganization, PLATFORMS } from '@sightline/core';
import type { CommandContext } from '../command.ts';
import { requireFlag } from './flags.ts';
import { withPrisma } from './with-prisma.ts';

function orgFlag(ctx: CommandContext): string {
  const org = requireFlag(ctx, 'org');
  // A malformed id cannot name any organization: same answer as an unknown one.
  if (!isUuid(org)) throw new AppError('NOT_FOUND', `organization ${org} not found`);
  return org.toLowerCase();
}

export async function createOrgCommand(ctx: CommandContext): Promise<void> {
  const created = await withPrisma(ctx, (prisma) =>
    createOrganization(prisma, {
      name: requireFlag(ctx, 'name'),
      ownerEmail: requireFlag(ctx, 'owner-email'),
      ownerPassword: requireFlag(ctx, 'owner-password'),
    }),
  );
  ctx.out.result(
    { org: created.org, owner: created.owner },
    [
      `Created organization ${created.org.name} (${created.org.slug})`,
      `  org id:  ${created.org.id}`,
      `  owner:   ${created.owner.email} (${created.owner.id})`,
    ],
  );
}

export async function createAppCommand(ctx: CommandContext): Promise<void> {
  const platform = typeof ctx.flags.platform === 'string' ? ctx.flags.platform.toUpperCase() : undefined;
  if (platform && !(PLATFORMS as readonly string[]).includes(platform)) {
    throw new AppError('BAD_REQUEST', `--platform must be one of ${PLATFORMS.join(', ')}`);
  }
  const created = await withPrisma(ctx, (prisma) =>
    createApp(prisma, orgFlag(ctx), {
      name: requireFlag(ctx, 'name'),
      bundleId: requireFlag(ctx, 'bundle-id'),
      ...(platform ? { platform: platform as (typeof PLATFORMS)[number] } : {}),
    }),
  );
  const dsn = buildDsn(ctx.env.PUBLIC_API_URL, created.ingestKey, created.app.id);
  ctx.out.result(
    { app: created.app, ingestKey: created.ingestKey, dsn },
    [
      `Created app ${created.app.name} (${created.app.bundleId})`,
      `  app id:      ${created.app.id}`,
      `  ingest key:  ${created.ingestKey}   (shown once; store it now)`,
      `  Sentry DSN:  ${dsn}`,
    ],
  );
}

export async function createApiKeyCommand(ctx: CommandContext): Promise<void> {
  const scopes = requireFlag(ctx, 'scopes')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new AppError('BAD_REQUEST', `--scopes has unknown scope ${unknown.join(', ')}; use ${API_SCOPES.join(', ')}`);
  }
  const created = await withPrisma(ctx, (prisma) =>
    createApiKey(prisma, orgFlag(ctx), {
      name: requireFlag(ctx, 'name'),
      scopes: scopes as Array<(typeof API_SCOPES)[number]>,
    }),
  );
  ctx.out.result(
    { apiKey: created.apiKey, secret: created.secret },
    [
      `Created API key ${created.apiKey.name} [${created.apiKey.scopes.join(', ')}]`,
      `  key id:  ${created.apiKey.id}`,
      `  secret:  ${created.secret}   (shown once; store it now)`,
    ],
  );
}

export async function grantPlatformAdminCommand(ctx: CommandContext): Promise<void> {
  const email = requireFlag(ctx, 'email').trim().toLowerCase();
  const user = await withPrisma(ctx, async (prisma) => {
    const found = await prisma.user.findUnique({ where: { email } });
    if (!found) throw new AppError('NOT_FOUND', `no user with email ${email}`);
    return prisma.user.update({ where: { id: found.id }, data: { isPlatformAdmin: true } });
  });
  ctx.out.result({ user: { id: user.id, email: user.email, isPlatformAdmin: true } }, [
    `${user.email} is now a platform administrator`,
  ]);
}

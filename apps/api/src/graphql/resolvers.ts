import {
  assertCan,
  changeMemberRole,
  createApiKey,
  createApp,
  deleteApp,
  getOrganization,
  getApp,
  inviteMemberByEmail,
  listApiKeys,
  listApps,
  listAuditLog,
  listMembers,
  removeMember,
  revokeApiKey,
  rotateIngestKey,
  updateApp,
  type CreateApiKeyInput,
  type CreateAppInput,
  type CredentialResolver,
  type Mailer,
  type OrgActor,
  type Role,
} from '@sightline/core';
import type { PrismaClient } from '@sightline/db';

export interface GraphQLContext {
  actor: OrgActor;
  prisma: PrismaClient;
  resolver: CredentialResolver;
  mailer: Mailer;
  webUrl: string;
}

type Args = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const appId = (v: unknown): number => Number(str(v));
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

// Every resolver reads the org from the actor, never from arguments: a foreign id finds nothing.
export const resolvers = {
  App: { createdAt: (app: { createdAt: Date }) => app.createdAt.toISOString() },
  ApiKey: {
    createdAt: (k: { createdAt: Date }) => k.createdAt.toISOString(),
    lastUsedAt: (k: { lastUsedAt: Date | null }) => iso(k.lastUsedAt),
    revokedAt: (k: { revokedAt: Date | null }) => iso(k.revokedAt),
  },
  AuditEntry: { createdAt: (e: { createdAt: Date }) => e.createdAt.toISOString() },
  Organization: { monthlyEventQuota: (o: { monthlyEventQuota: bigint }) => Number(o.monthlyEventQuota) },
  Query: {
    organization: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => getOrganization(prisma, actor),
    apps: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listApps(prisma, actor),
    app: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => getApp(prisma, actor, appId(args.id)),
    members: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listMembers(prisma, actor),
    apiKeys: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listApiKeys(prisma, actor),
    auditLog: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => listAuditLog(prisma, actor, Number(args.limit ?? 50)),
  },
  Mutation: {
    createApp: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      assertCan(actor.role, 'app.create');
      // createApp validates its input with zod; the cast only satisfies the compiler.
      const created = await createApp(prisma, actor.orgId, args as CreateAppInput, actor.audit);
      return { app: await getApp(prisma, actor, created.app.id), ingestKey: created.ingestKey };
    },
    updateApp: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      // Absent fields arrive as null from GraphQL: drop them so they mean "unchanged".
      const input = Object.fromEntries(Object.entries((args.input ?? {}) as Args).filter(([, v]) => v !== null));
      return updateApp(prisma, actor, appId(args.id), input);
    },
    deleteApp: async (_: unknown, args: Args, { actor, prisma, resolver }: GraphQLContext) => {
      await deleteApp(prisma, resolver, actor, appId(args.id));
      return true;
    },
    rotateIngestKey: (_: unknown, args: Args, { actor, prisma, resolver }: GraphQLContext) => {
      assertCan(actor.role, 'app.rotateIngestKey');
      return rotateIngestKey(prisma, resolver, actor.orgId, appId(args.appId), actor.audit, Number(args.graceHours ?? 0));
    },
    createApiKey: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      assertCan(actor.role, 'apiKey.create');
      const created = await createApiKey(prisma, actor.orgId, args as CreateApiKeyInput, actor.audit);
      return { apiKey: { ...created.apiKey, lastUsedAt: null, revokedAt: null }, secret: created.secret };
    },
    revokeApiKey: async (_: unknown, args: Args, { actor, prisma, resolver }: GraphQLContext) => {
      assertCan(actor.role, 'apiKey.revoke');
      await revokeApiKey(prisma, resolver, actor.orgId, str(args.id), actor.audit);
      return true;
    },
    inviteMember: async (_: unknown, args: Args, { actor, prisma, mailer, webUrl }: GraphQLContext) => {
      const invitation = await inviteMemberByEmail(prisma, mailer, webUrl, actor, args);
      return { ...invitation, expiresAt: invitation.expiresAt.toISOString() };
    },
    changeMemberRole: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      changeMemberRole(prisma, actor, str(args.userId), str(args.role) as Role),
    removeMember: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      await removeMember(prisma, actor, str(args.userId));
      return true;
    },
  },
};

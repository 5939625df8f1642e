import {
  analyticsBreakdown,
  analyticsDailyHealth,
  analyticsEventSeries,
  analyticsFeatureAdoption,
  analyticsFunnel,
  analyticsPaths,
  analyticsRetention,
  analyticsSegment,
  analyticsPerformance,
  analyticsSlowest,
  analyticsVersions,
  type AnalyticsCache,
  createAlertRule,
  createChannel,
  createTestAlert,
  deleteAlertRule,
  deleteChannel,
  listAlertRules,
  listChannels,
  listDeliveries,
  type AlertQueue,
  type OutboundLimits,
  type TargetPolicy,
  changeMemberRole,
  commentOnCrashGroup,
  getCrashGroup,
  listCrashGroups,
  updateCrashGroup,
  createApiKeyAs,
  createAppAs,
  deleteApp,
  getOrganization,
  getApp,
  inviteMemberByEmail,
  listApiKeys,
  listApps,
  listAuditLog,
  listMembers,
  listInvitations,
  removeMember,
  revokeApiKeyAs,
  revokeDeviceTokensAs,
  revokeInvitation,
  updateOrganization,
  rotateIngestKeyAs,
  updateApp,
  type CredentialResolver,
  type Mailer,
  type OrgActor,
  type PrivacyRequestView,
  deleteAppDataAs,
  exportOrgAs,
  getPrivacyRequestAs,
  listPrivacyRequestsAs,
  requestSubjectAs,
  parseInput,
  type Role,
} from '@sightline/core';
import {
  adoptionInput,
  alertRuleInput,
  breakdownInput,
  channelInput,
  createApiKeyInput,
  createAppInput,
  crashCommentInput,
  eventSeriesInput,
  dateRangeQuery,
  funnelInput,
  inviteMemberInput,
  listCrashGroupsInput,
  pathsInput,
  performanceInput,
  retentionInput,
  segmentInput,
  slowestInput,
  subjectRequestInput,
  updateAppInput,
  updateCrashGroupInput,
  updateOrganizationInput,
} from '@sightline/core/contracts';
import type { PrismaClient } from '@sightline/db';
import type { z } from 'zod';
import { schedulePrivacyRequest, withDownloadUrl, type ScheduleDeps } from '../privacy/schedule.ts';
import type { Loaders } from './loaders.ts';

export interface GraphQLContext {
  actor: OrgActor;
  prisma: PrismaClient;
  resolver: CredentialResolver;
  mailer: Mailer;
  webUrl: string;
  publicApiUrl: string;
  secret: string;
  alertQueue: AlertQueue;
  outbound: { targets: TargetPolicy; limits: OutboundLimits };
  analyticsCache: AnalyticsCache;
  loaders: Loaders;
  privacy: ScheduleDeps;
}

type Args = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));
const appId = (v: unknown): number => Number(str(v));
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
/** Absent optional arguments arrive as null from GraphQL: drop them so they mean "not given". */
const withoutNulls = (args: Args): Args => Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null));

/** requestSubjectExport / requestSubjectDeletion. */
const subjectRequest =
  (kind: 'EXPORT' | 'DELETE') =>
  async (_: unknown, args: Args, { actor, prisma, secret, privacy }: GraphQLContext) =>
    schedulePrivacyRequest(
      privacy,
      await requestSubjectAs(
        prisma,
        actor,
        parseInput(subjectRequestInput, { ...withoutNulls(args), appId: appId(args.appId), kind }),
        secret,
      ),
    );

/** Nulls dropped at every depth: GraphQL sends an omitted optional input field as null. */
const deepWithoutNulls = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(deepWithoutNulls)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => [k, deepWithoutNulls(v)]),
        )
      : value;

/**
 * An analytics query field: the app id apart, its arguments are the core function's input,
 * checked by the same schema as over tRPC; cached per rollup.
 */
const analytics =
  <S extends z.ZodType>(
    name: string,
    schema: S,
    query: (prisma: PrismaClient, actor: OrgActor, appId: number, input: z.output<S>) => Promise<unknown>,
  ) =>
  (_: unknown, args: Args, { actor, prisma, analyticsCache }: GraphQLContext) => {
    const { appId: id, ...fields } = deepWithoutNulls(args) as Args;
    const app = appId(id);
    const input = parseInput(schema, fields);
    return analyticsCache.get(actor.orgId, app, name, input, () => query(prisma, actor, app, input));
  };

// Every resolver reads the org from the actor, never from arguments: a foreign id finds nothing.
export const resolvers = {
  App: {
    createdAt: (app: { createdAt: Date }) => app.createdAt.toISOString(),
    overview: async (app: { id: number }, args: Args, { loaders }: GraphQLContext) => {
      const { start, end } = withoutNulls(args) as { start?: string; end?: string };
      const { change, previous, rolledUpAt, pendingHours, currentHourPartial, ...current } =
        await loaders.overview.load({ appId: app.id, start, end });
      return { current, previous, change, rolledUpAt, pendingHours, currentHourPartial };
    },
  },
  ApiKey: {
    createdAt: (k: { createdAt: Date }) => k.createdAt.toISOString(),
    lastUsedAt: (k: { lastUsedAt: Date | null }) => iso(k.lastUsedAt),
    revokedAt: (k: { revokedAt: Date | null }) => iso(k.revokedAt),
  },
  Invitation: { expiresAt: (i: { expiresAt: Date }) => i.expiresAt.toISOString() },
  AuditEntry: { createdAt: (e: { createdAt: Date }) => e.createdAt.toISOString() },
  PrivacyRequest: {
    requestedByType: (r: PrivacyRequestView) => r.requestedBy.type,
    stepsDone: (r: PrivacyRequestView) => r.progress?.done ?? null,
    stepsTotal: (r: PrivacyRequestView) => r.progress?.total ?? null,
    createdAt: (r: PrivacyRequestView) => r.createdAt.toISOString(),
    completedAt: (r: PrivacyRequestView) => iso(r.completedAt),
    expiresAt: (r: PrivacyRequestView) => iso(r.expiresAt),
  },
  CrashGroup: {
    firstSeenAt: (g: { firstSeenAt: Date }) => g.firstSeenAt.toISOString(),
    lastSeenAt: (g: { lastSeenAt: Date }) => g.lastSeenAt.toISOString(),
    resolvedAt: (g: { resolvedAt: Date | null }) => iso(g.resolvedAt),
    regressedAt: (g: { regressedAt: Date | null }) => iso(g.regressedAt),
  },
  CrashOccurrence: {
    occurredAt: (r: { occurredAt: Date }) => r.occurredAt.toISOString(),
    context: (r: { context: unknown }) => JSON.stringify(r.context),
  },
  AlertChannel: {
    config: (c: { config: unknown }) => JSON.stringify(c.config),
    flaggedAt: (c: { flaggedAt: Date | null }) => iso(c.flaggedAt),
  },
  AlertRule: {
    appId: (r: { appId: number | null }) => (r.appId === null ? null : String(r.appId)),
    conditions: (r: { conditions: unknown }) => JSON.stringify(r.conditions),
    lastTriggeredAt: (r: { lastTriggeredAt: Date | null }) => iso(r.lastTriggeredAt),
    channelIds: (r: { channels: Array<{ channelId: string }> }) => r.channels.map((c) => c.channelId),
  },
  AlertDelivery: {
    sentAt: (d: { sentAt: Date | null }) => iso(d.sentAt),
    createdAt: (d: { createdAt: Date }) => d.createdAt.toISOString(),
    title: (d: { payload: unknown }) => (d.payload as { title?: string } | null)?.title ?? null,
    kind: (d: { payload: unknown }) => (d.payload as { kind?: string } | null)?.kind ?? null,
  },
  CrashComment: { createdAt: (c: { createdAt: Date }) => c.createdAt.toISOString() },
  Organization: { monthlyEventQuota: (o: { monthlyEventQuota: bigint }) => Number(o.monthlyEventQuota) },
  Query: {
    privacyRequests: async (_: unknown, args: Args, { actor, prisma, secret, privacy }: GraphQLContext) =>
      (
        await listPrivacyRequestsAs(
          prisma,
          actor,
          {
            ...(args.appId == null ? {} : { appId: appId(args.appId) }),
            limit: Number(args.limit ?? 50),
          },
          secret,
        )
      ).map((r) => withDownloadUrl(privacy.publicApiUrl, r)),
    privacyRequest: async (_: unknown, args: Args, { actor, prisma, secret, privacy }: GraphQLContext) =>
      withDownloadUrl(privacy.publicApiUrl, await getPrivacyRequestAs(prisma, actor, str(args.id), secret)),
    organization: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => getOrganization(prisma, actor),
    apps: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listApps(prisma, actor),
    app: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => getApp(prisma, actor, appId(args.id)),
    members: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listMembers(prisma, actor),
    apiKeys: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listApiKeys(prisma, actor),
    auditLog: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      listAuditLog(prisma, actor, Number(args.limit ?? 50)),
    invitations: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listInvitations(prisma, actor),
    crashGroups: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      const { appId: id, ...query } = args;
      return listCrashGroups(prisma, actor, appId(id), parseInput(listCrashGroupsInput, withoutNulls(query)));
    },
    alertChannels: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listChannels(prisma, actor),
    analyticsEvents: analytics('events', eventSeriesInput, analyticsEventSeries),
    analyticsVersions: analytics('versions', dateRangeQuery, analyticsVersions),
    analyticsHealth: analytics('health', dateRangeQuery, analyticsDailyHealth),
    analyticsPerformance: analytics('performance', performanceInput, analyticsPerformance),
    analyticsSlowest: analytics('slowest', slowestInput, analyticsSlowest),
    analyticsBreakdown: analytics('breakdown', breakdownInput, analyticsBreakdown),
    analyticsFunnel: analytics('funnel', funnelInput, analyticsFunnel),
    analyticsRetention: analytics('retention', retentionInput, analyticsRetention),
    analyticsPaths: analytics('paths', pathsInput, analyticsPaths),
    analyticsFeatureAdoption: analytics('adoption', adoptionInput, analyticsFeatureAdoption),
    analyticsSegment: analytics('segment', segmentInput, analyticsSegment),
    alertRules: (_: unknown, __: Args, { actor, prisma }: GraphQLContext) => listAlertRules(prisma, actor),
    alertDeliveries: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      listDeliveries(prisma, actor, {
        channelId: args.channelId == null ? undefined : str(args.channelId),
        status: args.status == null ? undefined : str(args.status),
        limit: Number(args.limit ?? 50),
      }),
    crashGroup: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      const detail = await getCrashGroup(prisma, actor, appId(args.appId), str(args.fingerprint));
      return {
        group: detail,
        sampleStackTrace: detail.sampleStackTrace,
        daily: detail.daily,
        versions: detail.versions,
        devices: detail.devices,
        recentOccurrences: detail.recentReports,
        comments: detail.comments,
      };
    },
  },
  Mutation: {
    createAlertChannel: (_: unknown, args: Args, { actor, prisma, secret, outbound }: GraphQLContext) =>
      createChannel(prisma, actor, secret, parseInput(channelInput, withoutNulls((args.input ?? {}) as Args)), {
        policy: outbound.targets,
      }),
    deleteAlertChannel: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      await deleteChannel(prisma, actor, str(args.id));
      return true;
    },
    sendTestAlert: async (_: unknown, args: Args, { actor, prisma, alertQueue, outbound }: GraphQLContext) => {
      const id = await createTestAlert(prisma, actor, str(args.channelId), outbound.limits);
      await alertQueue.enqueue([id]);
      return id;
    },
    createAlertRule: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      const input = withoutNulls((args.input ?? {}) as Args);
      const { appId: app, name, kind, throttleMinutes, digestMinutes, quietHours, channelIds, ...conditions } = input;
      const rule = parseInput(alertRuleInput, {
        name,
        kind,
        throttleMinutes,
        digestMinutes,
        quietHours: quietHours === undefined ? undefined : withoutNulls(quietHours as Args),
        channelIds,
        ...(app !== undefined ? { appId: appId(app) } : {}),
        conditions,
      });
      return createAlertRule(prisma, actor, rule);
    },
    deleteAlertRule: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      await deleteAlertRule(prisma, actor, str(args.id));
      return true;
    },
    updateCrashGroup: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      updateCrashGroup(
        prisma,
        actor,
        appId(args.appId),
        str(args.fingerprint),
        parseInput(updateCrashGroupInput, withoutNulls((args.change ?? {}) as Args)),
      ),
    commentOnCrashGroup: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      commentOnCrashGroup(
        prisma,
        actor,
        appId(args.appId),
        str(args.fingerprint),
        parseInput(crashCommentInput, { body: args.body }),
      ),
    createApp: (_: unknown, args: Args, { actor, prisma, publicApiUrl }: GraphQLContext) =>
      createAppAs(prisma, actor, parseInput(createAppInput, args), publicApiUrl),
    updateApp: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      // Absent fields arrive as null from GraphQL: drop them so they mean "unchanged".
      const input = Object.fromEntries(Object.entries((args.input ?? {}) as Args).filter(([, v]) => v !== null));
      return updateApp(prisma, actor, appId(args.id), parseInput(updateAppInput, input));
    },
    deleteApp: async (_: unknown, args: Args, { actor, prisma, resolver }: GraphQLContext) => {
      await deleteApp(prisma, resolver, actor, appId(args.id));
      return true;
    },
    rotateIngestKey: (_: unknown, args: Args, { actor, prisma, resolver, publicApiUrl }: GraphQLContext) =>
      rotateIngestKeyAs(prisma, resolver, actor, appId(args.appId), Number(args.graceHours ?? 0), publicApiUrl),
    createApiKey: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      createApiKeyAs(prisma, actor, parseInput(createApiKeyInput, args)),
    revokeApiKey: async (_: unknown, args: Args, { actor, prisma, resolver }: GraphQLContext) => {
      await revokeApiKeyAs(prisma, resolver, actor, str(args.id));
      return true;
    },
    inviteMember: (_: unknown, args: Args, { actor, prisma, mailer, webUrl, outbound }: GraphQLContext) =>
      inviteMemberByEmail(prisma, mailer, webUrl, actor, parseInput(inviteMemberInput, args), outbound.limits),
    changeMemberRole: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      changeMemberRole(prisma, actor, str(args.userId), str(args.role) as Role),
    removeMember: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      await removeMember(prisma, actor, str(args.userId));
      return true;
    },
    revokeInvitation: async (_: unknown, args: Args, { actor, prisma }: GraphQLContext) => {
      await revokeInvitation(prisma, actor, str(args.id));
      return true;
    },
    updateOrganization: (_: unknown, args: Args, { actor, prisma }: GraphQLContext) =>
      updateOrganization(
        prisma,
        actor,
        parseInput(updateOrganizationInput, { name: args.name ?? undefined, slug: args.slug ?? undefined }),
      ),
    requestSubjectExport: subjectRequest('EXPORT'),
    requestSubjectDeletion: subjectRequest('DELETE'),
    deleteAppData: async (_: unknown, args: Args, { actor, prisma, secret, privacy }: GraphQLContext) =>
      schedulePrivacyRequest(
        privacy,
        await deleteAppDataAs(prisma, actor, { appId: appId(args.appId), confirm: str(args.confirm) }, secret),
      ),
    exportOrganization: async (_: unknown, __: Args, { actor, prisma, secret, privacy }: GraphQLContext) =>
      schedulePrivacyRequest(privacy, await exportOrgAs(prisma, actor, secret)),
    revokeDeviceTokens: (_: unknown, args: Args, { actor, prisma, resolver }: GraphQLContext) =>
      revokeDeviceTokensAs(
        prisma,
        resolver,
        actor,
        appId(args.appId),
        args.deviceId == null ? undefined : str(args.deviceId),
      ),
  },
};

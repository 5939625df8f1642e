import { getCrashGroup, listCrashGroups, parseInput, resolveAppRef, updateCrashGroup } from '@sightline/core';
import { listCrashGroupsInput, updateCrashGroupInput } from '@sightline/core/contracts';
import type { FastifyInstance } from 'fastify';
import { requestActor } from '../actor.ts';
import type { ServerDeps } from '../server.ts';

// The seed's REST endpoints for crash groups (secret key with `read`; `write` to PATCH).
// Same core functions as tRPC and GraphQL; the wire shape is the seed's, in snake_case.

type Group = Awaited<ReturnType<typeof listCrashGroups>>['groups'][number];

function crashGroupJson(g: Group) {
  return {
    fingerprint: g.fingerprint,
    fingerprint_version: g.fingerprintVersion,
    crash_type: g.crashType,
    message: g.message,
    culprit: g.culprit,
    level: g.level,
    // Unhandled reports are crashes of their session; a group of only handled ones is an error.
    unhandled_count: g.unhandledCount,
    handled: g.unhandledCount === 0,
    status: g.status,
    first_seen_at: g.firstSeenAt,
    last_seen_at: g.lastSeenAt,
    occurrence_count: g.occurrenceCount,
    affected_devices: g.affectedDeviceCount,
    affected_versions: g.affectedVersions,
    first_version: g.firstVersion,
    last_version: g.lastVersion,
    resolved_at: g.resolvedAt,
    resolved_in_version: g.resolvedInVersion,
    ignored_until_count: g.ignoredUntilCount,
    regressed_at: g.regressedAt,
    assignee_id: g.assigneeId,
  };
}

const snakeToCamel: Record<string, string> = {
  status: 'status',
  resolved_in_version: 'resolvedInVersion',
  ignore_for_occurrences: 'ignoreForOccurrences',
  assignee_id: 'assigneeId',
};

export function registerCrashRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/v1/apps/:id/crashes', async (request) => {
    const actor = await requestActor(deps, request);
    const appId = await resolveAppRef(deps.prisma, actor.orgId, (request.params as { id: string }).id);
    const result = await listCrashGroups(deps.prisma, actor, appId, parseInput(listCrashGroupsInput, request.query));
    return { crashes: result.groups.map(crashGroupJson), total: result.total, page: result.page, limit: result.limit };
  });

  app.get('/v1/apps/:id/crashes/:fingerprint', async (request) => {
    const actor = await requestActor(deps, request);
    const params = request.params as { id: string; fingerprint: string };
    const appId = await resolveAppRef(deps.prisma, actor.orgId, params.id);
    const group = await getCrashGroup(deps.prisma, actor, appId, params.fingerprint);
    return {
      crash_group: {
        ...crashGroupJson(group),
        sample_stack_trace: group.sampleStackTrace,
        sample_frames: group.sampleFrames,
      },
      recent_occurrences: group.recentReports.map((r) => ({
        id: r.id,
        occurred_at: r.occurredAt,
        app_version: r.appVersion,
        environment: r.environment,
        os: r.os,
        os_version: r.osVersion,
        browser: r.browser,
        device_model: r.deviceModel,
        handled: r.handled,
        message: r.message,
        context: r.context,
        breadcrumbs: r.breadcrumbs,
        tags: r.tags,
        source: r.source,
      })),
      comments: group.comments.map((c) => ({ id: c.id, body: c.body, created_at: c.createdAt, author_id: c.authorId })),
      daily: group.daily,
      versions: group.versions.map((v) => ({ app_version: v.version, occurrences: v.occurrences })),
      devices: group.devices,
    };
  });

  app.patch('/v1/apps/:id/crashes/:fingerprint', async (request) => {
    const actor = await requestActor(deps, request);
    const params = request.params as { id: string; fingerprint: string };
    const appId = await resolveAppRef(deps.prisma, actor.orgId, params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const change = Object.fromEntries(
      Object.entries(typeof body === 'object' && !Array.isArray(body) ? body : {}).map(([k, v]) => [
        snakeToCamel[k] ?? k,
        v,
      ]),
    );
    return {
      crash_group: crashGroupJson(
        await updateCrashGroup(deps.prisma, actor, appId, params.fingerprint, parseInput(updateCrashGroupInput, change)),
      ),
    };
  });
}

import { randomUUID } from 'node:crypto';
import {
  AppError,
  clientTraits,
  crashInput,
  hashDeviceId,
  normalizeEvents,
  parseBatch,
  parseInput,
  scrubField,
  scrubString,
  truncateIp,
  type AppendOutcome,
  type IngestTarget,
  type Principal,
  type RateLimit,
} from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerDeps } from '../server.ts';

/** A browser may send only from the app's allowed origins (none listed: any origin). */
function checkOrigin(request: FastifyRequest, app: IngestTarget): void {
  const origin = request.headers.origin;
  if (!origin || app.allowedOrigins.length === 0 || app.allowedOrigins.includes(origin)) return;
  throw new AppError(
    'FORBIDDEN',
    `origin ${origin} may not send telemetry to this app; add it to the app's allowed origins`,
  );
}

function limitsFor(
  deps: ServerDeps,
  principal: Principal,
  app: IngestTarget,
  deviceId: string,
  ip: string,
): RateLimit[] {
  return [
    { subject: `key:${principal.credentialId}`, limit: deps.ingest.limits.perKey },
    { subject: `device:${app.appId}:${deviceId}`, limit: deps.ingest.limits.perDevice },
    { subject: `ip:${ip}`, limit: deps.ingest.limits.perIp },
  ];
}

/** A refusal from the buffer as the HTTP answer the contract names. */
function refuse(outcome: Exclude<AppendOutcome, { status: 'stored' }>, app: IngestTarget): never {
  if (outcome.status === 'rate_limited') {
    const scope = outcome.subject.split(':')[0];
    throw new AppError(
      'RATE_LIMITED',
      `rate limit reached for this ${scope === 'key' ? 'key' : scope === 'device' ? 'device' : 'address'}; retry after ${outcome.retryAfter} s`,
      [],
      outcome.retryAfter,
    );
  }
  if (outcome.status === 'over_quota') {
    throw new AppError(
      'RATE_LIMITED',
      `this organization's monthly quota of ${app.monthlyEventQuota} events is used up`,
      [],
      3600,
    );
  }
  throw new AppError('UNAVAILABLE', 'ingestion is behind; retry shortly', [], 5);
}

/** Redis not answering is a 503 with Retry-After: nothing is acknowledged that was not stored. */
async function buffered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('UNAVAILABLE', 'the ingestion buffer is unavailable; retry shortly', [], 5);
  }
}

/** Who sends (the credential) and to which app (the credential, or app_id for sk_ keys), from an allowed origin. */
async function resolveSender(deps: ServerDeps, request: FastifyRequest) {
  const principal = await deps.auth.authenticate(request);
  const appRef = (request.body as { app_id?: unknown } | null)?.app_id;
  const target = await deps.ingest.directory.resolve(
    principal,
    typeof appRef === 'string' || typeof appRef === 'number' ? appRef : undefined,
  );
  checkOrigin(request, target);
  return { principal, target };
}

export function registerTelemetryRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { metrics } = deps.ingest;

  app.post('/v1/telemetry/events', async (request, reply) => {
    const { principal, target } = await resolveSender(deps, request);
    const batch = parseBatch(request.body);
    const deviceId = principal.deviceIdHash ?? hashDeviceId(target.deviceIdSalt, batch.device_id);
    const receivedAt = Date.now();
    const facts = { receivedAt, ip: request.ip, traits: clientTraits(request.headers['user-agent'], request.ip) };
    const normalized = normalizeEvents({ ...batch, device_id: deviceId }, target, facts);
    for (const [reason, n] of Object.entries(normalized.dropped)) metrics.dropped.inc({ reason }, n);
    if (normalized.events.length === 0 && normalized.errors.length > 0) {
      const issues = normalized.errors.flatMap((e) => e.issues);
      throw new AppError(
        'BAD_REQUEST',
        `no valid events: ${issues
          .slice(0, 5)
          .map((i) => `${i.path} ${i.message}`)
          .join('; ')}`,
        issues,
      );
    }
    const dropped = Object.values(normalized.dropped).reduce((a, b) => a + b, 0);
    if (normalized.events.length > 0) {
      const outcome = await buffered(() =>
        deps.ingest.buffer.append(
          { o: target.orgId, a: target.appId, r: receivedAt, e: normalized.events },
          {
            quota: target.monthlyEventQuota,
            limits: limitsFor(deps, principal, target, deviceId, request.ip),
            dropped,
          },
        ),
      );
      if (outcome.status !== 'stored') {
        metrics.dropped.inc({ reason: outcome.status }, normalized.events.length);
        refuse(outcome, target);
      }
      metrics.accepted.inc({ kind: 'event' }, normalized.events.length);
    }
    return reply.status(202).send({
      received: normalized.events.length,
      ...(dropped > 0 ? { dropped: normalized.dropped } : {}),
      ...(normalized.errors.length > 0 ? { errors: normalized.errors } : {}),
    });
  });

  app.post('/v1/telemetry/crash', async (request, reply) => {
    const { principal, target } = await resolveSender(deps, request);
    const input = parseInput(crashInput, request.body);
    const deviceId = principal.deviceIdHash ?? hashDeviceId(target.deviceIdSalt, input.device_id);
    const receivedAt = Date.now();
    const traits = clientTraits(request.headers['user-agent'], request.ip);
    const extraKeys = new Set(target.scrubFields.map((f) => f.toLowerCase()));
    const ip = target.ipPolicy === 'truncate' ? truncateIp(request.ip) : null;
    const report = {
      id: randomUUID(),
      orgId: target.orgId,
      appId: target.appId,
      source: 'sightline',
      occurredAt: Math.min(input.timestamp ?? receivedAt, receivedAt),
      receivedAt,
      deviceId,
      sessionId: input.session_id ?? null,
      userId: input.user_id ?? null,
      appVersion: input.app_version ?? null,
      environment: input.environment ?? null,
      crashType: input.crash.type,
      level: input.crash.level,
      message: input.crash.message == null ? null : scrubString(input.crash.message),
      stackTrace: input.crash.stack_trace == null ? null : scrubString(input.crash.stack_trace),
      context: scrubField(ip ? { ...input.crash.context, ip } : input.crash.context, extraKeys, 'crash.context'),
      breadcrumbs: input.crash.breadcrumbs ? scrubField(input.crash.breadcrumbs, extraKeys, 'crash.breadcrumbs') : null,
      tags: input.crash.tags ?? null,
      os: input.os ?? traits.os,
      osVersion: input.os_version ?? (input.os ? null : traits.osVersion),
      browser: traits.browser,
      deviceModel: input.device_model ?? traits.deviceType,
      country: traits.country,
    };
    const outcome = await buffered(() =>
      deps.ingest.buffer.appendCrash(report, { limits: limitsFor(deps, principal, target, deviceId, request.ip) }),
    );
    if (outcome.status !== 'stored') refuse(outcome, target);
    metrics.accepted.inc({ kind: 'crash' });
    return reply.status(202).send({ id: report.id });
  });
}

import {
  AppError,
  asksNotToBeTracked,
  buildCrashRecord,
  clientTraits,
  crashIdFor,
  crashInput,
  hashDeviceId,
  normalizeEvents,
  parseBatch,
  parseInput,
} from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerDeps } from '../server.ts';
import { buffered, checkOrigin, limitsFor, refuse } from './ingest-steps.ts';

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
    const facts = {
      receivedAt,
      ip: request.ip,
      traits: clientTraits(request.headers['user-agent'], request.ip),
      doNotTrack: asksNotToBeTracked(request.headers),
    };
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
    const facts = {
      receivedAt: Date.now(),
      ip: request.ip,
      traits: clientTraits(request.headers['user-agent'], request.ip),
    };
    // A resent report (its answer lost on the way back) keeps its id and is stored once.
    const report = buildCrashRecord(
      input,
      target,
      facts,
      deviceId,
      input.id ? { id: crashIdFor(target.appId, input.id) } : {},
    );
    const outcome = await buffered(() =>
      deps.ingest.buffer.appendCrash(report, {
        limits: limitsFor(deps, principal, target, deviceId, request.ip),
        crashQuota: target.monthlyCrashQuota,
      }),
    );
    if (outcome.status !== 'stored') refuse(outcome, target);
    metrics.accepted.inc({ kind: 'crash' });
    return reply.status(202).send({ id: report.id });
  });
}

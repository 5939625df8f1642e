import { Readable } from 'node:stream';
import {
  devicePrivacySettings,
  openExport,
  requestDeviceDeletion,
  requestDeviceExport,
  requestStatus,
  statusLink,
  type Principal,
} from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { queuePrivacyJob } from '../../privacy/schedule.ts';
import type { ServerDeps } from '../server.ts';
import { checkDeviceOrigin } from './ingest-steps.ts';

// The device's own privacy requests, with its dt_ token (seed "GDPR Endpoints"). Each call
// counts against its app's per-minute allowance; a new export or deletion against the
// device's daily and the app's hourly one (asking again for an open request is free); a
// settings change against the device's per-minute one.

export function registerPrivacyRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const caller = async (request: FastifyRequest) => {
    const principal = await deps.auth.authenticate(request);
    await checkDeviceOrigin(deps, request, principal);
    await deps.publicLimits.privacyCall(principal);
    return principal;
  };
  // A new export or deletion is counted; one that turned out to be already open, or that
  // was refused, is given back.
  const counted = async <T extends { created: boolean }>(principal: Principal, make: () => Promise<T>) => {
    const refund = await deps.publicLimits.privacyRequest(principal);
    const answer = await make().catch(async (error: unknown) => {
      await refund();
      throw error;
    });
    if (!answer.created) await refund();
    return answer;
  };

  // The device's consent: opted out of everything, usage analytics, crash reports.
  app.get('/v1/privacy/settings', async (request) => devicePrivacySettings(deps.prisma, await caller(request)));
  app.put('/v1/privacy/settings', async (request) => {
    const principal = await caller(request);
    await deps.publicLimits.settingsWrite(principal);
    return devicePrivacySettings(deps.prisma, principal, request.body ?? {});
  });

  // An export of everything held about this device: built by the worker, downloadable for 24 h.
  app.get('/v1/privacy/export', async (request, reply) => {
    const principal = await caller(request);
    const answer = await counted(principal, () => requestDeviceExport(deps.prisma, principal, deps.secret));
    if (answer.queue) await queuePrivacyJob(deps, 'EXPORT', answer.id, principal.orgId);
    return reply.status(answer.status === 'COMPLETED' ? 200 : 202).send({
      download_url: `${deps.publicApiUrl}${answer.downloadPath}`,
      status: answer.status === 'COMPLETED' ? 'ready' : 'scheduled',
      request_id: answer.id,
      expires_at: answer.expiresAt,
      status_url: `${deps.publicApiUrl}${statusLink(deps.secret, { id: answer.id, orgId: principal.orgId })}`,
    });
  });

  // The signed link itself is the credential; a changed, foreign or expired one is 404.
  app.get('/v1/privacy/exports/:id', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const found = await openExport(deps.prisma, deps.secret, {
      id: (request.params as { id: string }).id,
      expires: query.expires,
      sig: query.sig,
    });
    if (!found)
      return reply
        .status(404)
        .send({ error: { code: 'NOT_FOUND', message: 'no such export, or the link has expired' } });
    if (found.pending) return reply.status(202).header('retry-after', '10').send({ status: 'scheduled' });
    // A subject's export is one JSON document; an organization's, JSON lines (one row each).
    const org = found.scope === 'ORG';
    return reply
      .header('content-type', org ? 'application/x-ndjson' : 'application/json')
      .header('content-encoding', 'gzip')
      .header('content-disposition', `attachment; filename="sightline-export.${org ? 'ndjson' : 'json'}"`)
      .send(Readable.from(found.gzip()));
  });

  // Deletion of everything held about this device: scheduled now, carried out by the worker.
  app.delete('/v1/privacy/data', async (request, reply) => {
    const principal = await caller(request);
    const { id, revokedTokenHashes } = await counted(principal, () => requestDeviceDeletion(deps.prisma, principal));
    // The device stops sending now, not when the job runs.
    await Promise.all(revokedTokenHashes.map((hash) => deps.resolver.invalidate(hash)));
    await queuePrivacyJob(deps, 'DELETE', id, principal.orgId);
    return reply.status(202).send({
      status: 'scheduled',
      request_id: id,
      // The device's token no longer works; this link shows how its deletion is going.
      status_url: `${deps.publicApiUrl}${statusLink(deps.secret, { id, orgId: principal.orgId })}`,
    });
  });

  // A request's state behind its signed link (the link is the credential): no subject data.
  app.get('/v1/privacy/requests/:id', async (request, reply) => {
    const found = await requestStatus(deps.prisma, deps.secret, {
      id: (request.params as { id: string }).id,
      sig: (request.query as Record<string, unknown>).sig,
    });
    if (!found) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no such request' } });
    return found;
  });
}

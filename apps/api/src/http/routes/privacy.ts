import { Readable } from 'node:stream';
import {
  devicePrivacySettings,
  openExport,
  requestDeviceDeletion,
  requestDeviceExport,
  requestStatus,
  statusLink,
} from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import { queuePrivacyJob } from '../../privacy/schedule.ts';
import type { ServerDeps } from '../server.ts';

// The device's own privacy requests, with its dt_ token (seed "GDPR Endpoints").

export function registerPrivacyRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // The device's consent: opted out of everything, usage analytics, crash reports.
  app.get('/v1/privacy/settings', async (request) =>
    devicePrivacySettings(deps.prisma, await deps.auth.authenticate(request)),
  );
  app.put('/v1/privacy/settings', async (request) =>
    devicePrivacySettings(deps.prisma, await deps.auth.authenticate(request), request.body ?? {}),
  );

  // An export of everything held about this device: built by the worker, downloadable for 24 h.
  app.get('/v1/privacy/export', async (request, reply) => {
    const principal = await deps.auth.authenticate(request);
    const answer = await requestDeviceExport(deps.prisma, principal, deps.secret);
    if (answer.queue) await queuePrivacyJob(deps, 'EXPORT', answer.id);
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
    const principal = await deps.auth.authenticate(request);
    const { id, revokedTokenHashes } = await requestDeviceDeletion(deps.prisma, principal);
    // The device stops sending now, not when the job runs.
    await Promise.all(revokedTokenHashes.map((hash) => deps.resolver.invalidate(hash)));
    await queuePrivacyJob(deps, 'DELETE', id);
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

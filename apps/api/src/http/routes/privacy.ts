import { requestDeviceDeletion } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../server.ts';

// The device's own privacy requests, with its dt_ token (seed "GDPR Endpoints").

export function registerPrivacyRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // Deletion of everything held about this device: scheduled now, carried out by the worker.
  app.delete('/v1/privacy/data', async (request, reply) => {
    const principal = await deps.auth.authenticate(request);
    const { id, revokedTokenHashes } = await requestDeviceDeletion(deps.prisma, principal);
    // The device stops sending now, not when the job runs.
    await Promise.all(revokedTokenHashes.map((hash) => deps.resolver.invalidate(hash)));
    // Redis away: the request is stored, and the worker's sweep queues it within minutes.
    await deps.privacyQueue
      .enqueueDeletion(id)
      .catch((error: unknown) =>
        deps.log.warn({ err: String(error), requestId: id }, 'deletion queued by the sweep later'),
      );
    return reply.status(202).send({ status: 'scheduled', request_id: id });
  });
}

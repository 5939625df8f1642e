import { actorFromApiKey, AppError, requireMembership, type OrgActor } from '@sightline/core';
import type { FastifyRequest } from 'fastify';
import type { ServerDeps } from './server.ts';
import { sessionUserId } from './session.ts';

/**
 * Who a GraphQL or REST query acts as: a secret key (Authorization: Bearer sk_…) in its org,
 * or a signed-in portal user in the org named by X-Sightline-Org — a custom header, so a
 * cross-site page cannot send it without a CORS preflight (the cookie alone is never enough).
 */
export async function requestActor(deps: ServerDeps, req: FastifyRequest): Promise<OrgActor> {
  if (!req.headers.authorization) {
    const userId = await sessionUserId(req, deps.secret, deps.prisma);
    if (userId) {
      const orgId = req.headers['x-sightline-org'];
      if (typeof orgId !== 'string')
        throw new AppError('BAD_REQUEST', 'signed in: name the organization in the X-Sightline-Org header');
      return requireMembership(deps.prisma, userId, orgId);
    }
  }
  return actorFromApiKey(await deps.auth.authenticate(req));
}

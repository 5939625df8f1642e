import type { FastifyRequest } from 'fastify';
import type { ServerDeps } from '../http/server.ts';
import { clientIp, sessionUserId } from '../http/session.ts';

export interface TrpcContext {
  deps: ServerDeps;
  /** The portal session's user, when signed in. */
  userId: string | null;
  /** The browser's address (from the portal's signed header), for rate limits and audit. */
  ip: string;
}

export async function createTrpcContext(deps: ServerDeps, req: FastifyRequest): Promise<TrpcContext> {
  return { deps, userId: await sessionUserId(req, deps.secret, deps.prisma), ip: clientIp(req, deps.secret) };
}

import { AppError, type CredentialResolver, type Principal } from '@sightline/core';
import type { FastifyRequest } from 'fastify';

/**
 * The caller's principal from `Authorization: Bearer <pk_|dt_|sk_ key>`: 401 when missing,
 * unknown or revoked; 403 when the organization is suspended (nothing is deleted).
 */
export async function authenticate(request: FastifyRequest, resolver: CredentialResolver): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new AppError('UNAUTHORIZED', 'missing credential: send Authorization: Bearer <pk_…|dt_…|sk_… key>');
  const principal = await resolver.resolve(match[1]);
  if (!principal) throw new AppError('UNAUTHORIZED', 'unknown or revoked credential');
  if (principal.orgSuspended) {
    throw new AppError('FORBIDDEN', 'this organization is suspended; its keys are disabled until the operator lifts the suspension');
  }
  return principal;
}

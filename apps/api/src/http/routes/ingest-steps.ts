import { checkOrigin, type CredentialPort, type IngestRequest, type Principal } from '@sightline/core';
import type { FastifyRequest } from 'fastify';
import type { ServerDeps } from '../server.ts';

// The HTTP side of the ingestion pipelines (packages/core/src/ingest/pipelines): a Fastify
// request as the transport-agnostic request they take. The steps themselves live in core.

/** The credential step's port: the api's auth layer, on this request (it answers from the lookup made before the body). */
export function credentialOf(deps: ServerDeps, request: FastifyRequest): CredentialPort {
  return {
    authenticate: () => deps.auth.authenticate(request),
    authenticateKey: (key) => deps.auth.authenticateKey(request, key),
  };
}

export function ingestRequest(deps: ServerDeps, request: FastifyRequest): IngestRequest {
  return { body: request.body, headers: request.headers, ip: request.ip, credential: credentialOf(deps, request) };
}

/** The origin step for the device and privacy routes, whose key or device token names the app. */
export async function checkDeviceOrigin(
  deps: ServerDeps,
  request: FastifyRequest,
  principal: Principal,
): Promise<void> {
  // No Origin: not a browser, nothing to check (and no settings lookup on that path).
  if (!request.headers.origin || principal.appId === undefined) return;
  checkOrigin(request.headers.origin, await deps.ingest.directory.resolve(principal, undefined));
}

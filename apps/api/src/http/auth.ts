import { AppError, type CredentialResolver, type Principal } from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface Authenticator {
  /**
   * The caller's principal from `Authorization: Bearer <pk_|dt_|sk_ key>`: 401 when missing,
   * unknown or revoked; 403 when the organization is suspended (nothing is deleted); 429
   * once an address has sent too many unknown credentials (key guessing).
   */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** The same checks for a credential found elsewhere (a Sentry DSN key in a query or header). */
  authenticateKey(request: FastifyRequest, credential: string | undefined): Promise<Principal>;
}

/**
 * Routes whose credential is the Authorization header, checked before their body is read
 * (`installEarlyAuthentication`). The device and privacy routes are here too: they are
 * public, and their handlers' own `authenticate` call then answers from the same lookup.
 */
export const HEADER_CREDENTIAL_ROUTES: ReadonlySet<string> = new Set([
  'POST /v1/telemetry/events',
  'POST /v1/telemetry/crash',
  'POST /v1/devices/register',
  'GET /v1/privacy/settings',
  'PUT /v1/privacy/settings',
  'GET /v1/privacy/export',
  'DELETE /v1/privacy/data',
]);

/**
 * An unknown, revoked or missing key is refused before a byte of the body is read or
 * parsed: a caller without a credential costs a header lookup, not a JSON.parse.
 */
export function installEarlyAuthentication(app: FastifyInstance, auth: Authenticator): void {
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (url !== undefined && HEADER_CREDENTIAL_ROUTES.has(`${request.method} ${url}`)) await auth.authenticate(request);
  });
}

export interface AuthenticatorOptions {
  resolver: CredentialResolver;
  redis: Redis;
  /** Unknown credentials an address may send per window before it is refused. */
  failuresPerWindow?: number;
  windowSeconds?: number;
  keyPrefix?: string;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const failures = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix ?? 'sightline:auth-fail',
    points: options.failuresPerWindow ?? 30,
    duration: options.windowSeconds ?? 60,
  });
  const limit = options.failuresPerWindow ?? 30;

  // Addresses over the limit, known in this process: checking them costs no Redis round trip
  // on the hot path. The count itself lives in Redis, so every process learns of a blocked
  // address on its first failure from it.
  const blockedUntil = new Map<string, number>();

  function refuseIfBlocked(ip: string): void {
    const until = blockedUntil.get(ip);
    if (until === undefined) return;
    const wait = until - Date.now();
    if (wait <= 0) {
      blockedUntil.delete(ip);
      return;
    }
    throw new AppError(
      'RATE_LIMITED',
      'too many unknown credentials from this address; wait and retry',
      [],
      Math.ceil(wait / 1000),
    );
  }

  async function recordFailure(ip: string): Promise<void> {
    const state = await failures.consume(ip).catch((error: unknown) => {
      if (error instanceof RateLimiterRes) return error;
      throw error;
    });
    if (state.consumedPoints >= limit) {
      if (blockedUntil.size > 100_000) blockedUntil.clear();
      blockedUntil.set(ip, Date.now() + state.msBeforeNext);
    }
  }

  // One lookup per request: the early hook resolves the principal, the handler's own call
  // gets the same answer (or the same refusal) without a second round trip.
  const resolved = new WeakMap<FastifyRequest, { credential: string | undefined; principal: Promise<Principal> }>();

  function authenticateKey(request: FastifyRequest, credential: string | undefined): Promise<Principal> {
    const known = resolved.get(request);
    if (known && known.credential === credential) return known.principal;
    const principal = lookUp(request, credential);
    resolved.set(request, { credential, principal });
    return principal;
  }

  async function lookUp(request: FastifyRequest, credential: string | undefined): Promise<Principal> {
    refuseIfBlocked(request.ip);
    if (!credential)
      throw new AppError('UNAUTHORIZED', 'missing credential: send Authorization: Bearer <pk_…|dt_…|sk_… key>');
    const principal = await options.resolver.resolve(credential);
    if (!principal) {
      await recordFailure(request.ip);
      throw new AppError('UNAUTHORIZED', 'unknown or revoked credential');
    }
    if (principal.orgSuspended) {
      throw new AppError(
        'FORBIDDEN',
        'this organization is suspended; its keys are disabled until the operator lifts the suspension',
      );
    }
    return principal;
  }

  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      return authenticateKey(request, match?.[1]);
    },
    authenticateKey,
  };
}

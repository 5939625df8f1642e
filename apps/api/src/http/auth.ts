import { AppError, type CredentialResolver, type Principal } from '@sightline/core';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface Authenticator {
  /**
   * The caller's principal from `Authorization: Bearer <pk_|dt_|sk_ key>`: 401 when missing,
   * unknown or revoked; 403 when the organization is suspended (nothing is deleted); 429
   * once an address has sent too many unknown credentials (key guessing).
   */
  authenticate(request: FastifyRequest): Promise<Principal>;
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

  async function refuseIfBlocked(ip: string): Promise<void> {
    const state = await failures.get(ip).catch(() => null);
    if (state && state.consumedPoints >= limit) {
      throw new AppError('RATE_LIMITED', 'too many unknown credentials from this address; wait and retry', [], Math.ceil(state.msBeforeNext / 1000));
    }
  }

  async function recordFailure(ip: string): Promise<void> {
    await failures.consume(ip).catch((error: unknown) => {
      if (!(error instanceof RateLimiterRes)) throw error;
    });
  }

  return {
    async authenticate(request) {
      await refuseIfBlocked(request.ip);
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match?.[1]) throw new AppError('UNAUTHORIZED', 'missing credential: send Authorization: Bearer <pk_…|dt_…|sk_… key>');
      const principal = await options.resolver.resolve(match[1]);
      if (!principal) {
        await recordFailure(request.ip);
        throw new AppError('UNAUTHORIZED', 'unknown or revoked credential');
      }
      if (principal.orgSuspended) {
        throw new AppError('FORBIDDEN', 'this organization is suspended; its keys are disabled until the operator lifts the suspension');
      }
      return principal;
    },
  };
}

import { AppError } from '@sightline/core';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface FormLimiter {
  /** Counts one submission of a public form (sign-up, reset request) from an address; 429 past the limit. */
  consume(form: string, ip: string): Promise<void>;
}

export function createFormLimiter(redis: Redis, options: { perHour?: number; keyPrefix?: string } = {}): FormLimiter {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: options.keyPrefix ?? 'sightline:form',
    points: options.perHour ?? 20,
    duration: 3600,
  });
  return {
    async consume(form, ip) {
      try {
        await limiter.consume(`${form}:${ip}`);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const seconds = Math.ceil(error.msBeforeNext / 1000);
        throw new AppError(
          'RATE_LIMITED',
          `too many attempts from this address; try again in ${Math.ceil(seconds / 60)} minutes`,
          [],
          seconds,
        );
      }
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

// Raw-event questions (funnels, retention, paths, adoption, segments) each hold a database
// connection for up to RAW_QUESTION_TIMEOUT_MS. Without a cap, one organization's key could
// keep every connection of every api process busy; with it, an organization runs at most
// `perOrg` at once across all processes (the count lives in Redis), and the next is refused
// with 429 + Retry-After rather than queued behind them.

/** Slots are leases: a process that dies mid-question frees its slot when the lease ends. */
export const HEAVY_QUESTION_LEASE_MS = 40_000;

// KEYS[1] the org's slot set (member: lease id, score: lease end in Redis time)
// ARGV: lease id, per-org limit, lease ms. Returns 0 when taken, else ms until a slot frees.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
`;

export interface HeavyQuestionGate {
  /** Runs `question` in one of the org's slots, or throws RATE_LIMITED when all are taken. */
  run<T>(orgId: string, question: () => Promise<T>): Promise<T>;
}

export interface HeavyQuestionGateOptions {
  /** Questions one organization may run at once (ANALYTICS_ORG_MAX_IN_FLIGHT). */
  perOrg: number;
  namespace?: string;
  leaseMs?: number;
}

export function createHeavyQuestionGate(redis: Redis, options: HeavyQuestionGateOptions): HeavyQuestionGate {
  const namespace = options.namespace ?? 'sightline';
  const leaseMs = options.leaseMs ?? HEAVY_QUESTION_LEASE_MS;
  return {
    async run(orgId, question) {
      const key = `${namespace}:analytics-heavy:${orgId}`;
      const lease = randomUUID();
      let waitMs: number;
      try {
        waitMs = Number(await redis.eval(ACQUIRE, 1, key, lease, options.perOrg, leaseMs));
      } catch {
        // Redis unavailable: the statement timeout and the pool still bound the question.
        return question();
      }
      if (waitMs > 0) {
        // A running question usually ends well before its lease does; a few seconds is a fair
        // first retry, never later than the lease end.
        const retryAfter = Math.max(1, Math.min(5, Math.ceil(waitMs / 1000)));
        throw new AppError(
          'RATE_LIMITED',
          `this organization already runs ${options.perOrg} funnel, retention, path, adoption or segment questions; retry in ${retryAfter} s`,
          [],
          retryAfter,
        );
      }
      try {
        return await question();
      } finally {
        await redis.zrem(key, lease).catch(() => undefined);
      }
    },
  };
}

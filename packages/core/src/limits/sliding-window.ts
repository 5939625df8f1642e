import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

// Sliding-window counters in Redis (the estimate Cloudflare and nginx use: this window's
// count plus the previous window's, weighted by how much of it still overlaps), checked for
// several subjects in one round trip. All checks pass or none is counted, so a refused
// request does not eat into the other limits. rate-limiter-flexible, used for sign-in and
// key guessing, only has fixed windows: a client could send twice the limit across a window
// boundary. Time comes from Redis, so every api process agrees on the windows.

const SCRIPT = `
-- KEYS: base key per check; ARGV: cost, then (limit, window seconds) per check
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local cost = tonumber(ARGV[1])
local worst, worstWait = 0, 0
local slots = {}
for i, base in ipairs(KEYS) do
  local limit = tonumber(ARGV[i * 2])
  local window = tonumber(ARGV[i * 2 + 1])
  local index = math.floor(now / window)
  local elapsed = (now / window) - index
  local current = base .. ':' .. index
  local cur = tonumber(redis.call('GET', current) or '0')
  local prev = tonumber(redis.call('GET', base .. ':' .. (index - 1)) or '0')
  slots[i] = {current, window}
  if cost > 0 and prev * (1 - elapsed) + cur + cost > limit then
    -- When the estimate will have room again: within this window if the previous one's
    -- share decays far enough, otherwise once this window's own count decays.
    local wait
    if cur + cost <= limit and prev > 0 then
      wait = (1 - (limit - cur - cost) / prev - elapsed) * window
    else
      wait = (1 - elapsed) * window + math.max(0, 1 - (limit - cost) / math.max(cur, 1)) * window
    end
    if wait > worstWait or worst == 0 then worst, worstWait = i, wait end
  end
end
if worst > 0 then return {worst, tostring(worstWait)} end
for _, slot in ipairs(slots) do
  local n = redis.call('INCRBY', slot[1], cost)
  if n <= 0 then redis.call('DEL', slot[1]) else redis.call('EXPIRE', slot[1], slot[2] * 2 + 1) end
end
return {0, '0'}
`;

export interface LimitCheck {
  /** Who is counted, e.g. `device:<hash>`; joined to the limiter's prefix and the rule name. */
  subject: string;
  limit: number;
  windowSeconds: number;
  /** The 429's message when this limit is the one reached. */
  message: string;
}

export interface SlidingWindowLimiter {
  /** Counts one request (or `cost`) against every check, or throws RATE_LIMITED naming the limit reached. */
  consume(checks: readonly LimitCheck[], cost?: number): Promise<void>;
  /** Gives back what `consume` took (the request turned out to cost nothing). */
  refund(checks: readonly LimitCheck[], cost?: number): Promise<void>;
}

type Evaluator = (keys: string[], args: Array<string | number>) => Promise<[number, string]>;

export function createSlidingWindowLimiter(redis: Redis, keyPrefix: string): SlidingWindowLimiter {
  const run: Evaluator = async (keys, args) =>
    (await redis.eval(SCRIPT, keys.length, ...keys, ...args)) as [number, string];
  const keysOf = (checks: readonly LimitCheck[]) => checks.map((c) => `${keyPrefix}:${c.subject}:${c.windowSeconds}`);
  const argsOf = (cost: number, checks: readonly LimitCheck[]) => [
    cost,
    ...checks.flatMap((c) => [c.limit, c.windowSeconds]),
  ];
  return {
    async consume(checks, cost = 1) {
      if (checks.length === 0) return;
      const [refused, wait] = await run(keysOf(checks), argsOf(cost, checks));
      const check = checks[refused - 1];
      if (check) {
        throw new AppError('RATE_LIMITED', check.message, [], Math.max(1, Math.ceil(Number(wait))));
      }
    },
    async refund(checks, cost = 1) {
      if (checks.length === 0) return;
      await run(keysOf(checks), argsOf(-cost, checks));
    },
  };
}

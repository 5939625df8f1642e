import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HeavyQuestionGate } from './concurrency.ts';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { createRollupFreshener, type FreshRollupOptions } from './fresh.ts';

// Redis cache for dashboard queries. A key names the org, the app, the app's rollup
// generation, the query and its input; the aggregator bumps the generation when it rolls
// up the app, so every cached answer about it is left behind at once (and expires).
// Keys carry the org: another org's request can never hit them.

const TTL_SECONDS = 600;

/** The raw-event questions (explore.ts), by the names the tRPC and GraphQL callers give them. */
export const HEAVY_QUESTIONS: ReadonlySet<string> = new Set(['funnel', 'retention', 'paths', 'adoption', 'segment']);

export interface AnalyticsCache {
  /** The cached answer of `query(input)` for the app, or `compute()`'s, cached. */
  get<T>(orgId: string, appId: number, query: string, input: unknown, compute: () => Promise<T>): Promise<T>;
  /** New rollups landed for these apps: what was cached about them is stale. */
  invalidate(apps: ReadonlyArray<{ orgId: string; appId: number }>): Promise<void>;
}

/**
 * `heavy`: computing a HEAVY_QUESTIONS answer takes one of the org's slots (concurrency.ts);
 * cached answers need none. `fresh`: rollup questions first roll up the app's small pending
 * hours (fresh.ts).
 */
export function createAnalyticsCache(
  redis: Redis,
  namespace = 'sightline',
  options: { heavy?: HeavyQuestionGate; fresh?: { pool: pg.Pool; log: Logger; options?: FreshRollupOptions } } = {},
): AnalyticsCache {
  const generationKey = (orgId: string, appId: number) => `${namespace}:analytics-gen:${orgId}:${appId}`;
  const fresh = options.fresh
    ? createRollupFreshener({ ...options.fresh, onRolledUp: (apps) => cache.invalidate(apps) })
    : undefined;
  const cache: AnalyticsCache = {
    async get(orgId, appId, query, input, compute) {
      // Rollup answers include the app's pending hours (fresh.ts): rolled up first, which moves
      // the generation on, so the key below already names the fresh rollups.
      if (fresh && !HEAVY_QUESTIONS.has(query)) await fresh.freshen(orgId, appId);
      let key: string | null = null;
      try {
        const generation = (await redis.get(generationKey(orgId, appId))) ?? '0';
        const digest = createHash('sha256')
          .update(JSON.stringify(input ?? null))
          .digest('base64url')
          .slice(0, 22);
        key = `${namespace}:analytics:${orgId}:${appId}:${generation}:${query}:${digest}`;
        const hit = await redis.get(key);
        if (hit !== null) return JSON.parse(hit) as Awaited<ReturnType<typeof compute>>;
      } catch {
        // Redis unavailable: answer from the database.
      }
      const value =
        options.heavy && HEAVY_QUESTIONS.has(query) ? await options.heavy.run(orgId, compute) : await compute();
      if (key) await redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS).catch(() => undefined);
      return value;
    },
    async invalidate(apps) {
      if (apps.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { orgId, appId } of apps) pipeline.incr(generationKey(orgId, appId));
      await pipeline.exec();
    },
  };
  return cache;
}

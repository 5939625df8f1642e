import { inspectRedisPersistence } from '@sightline/core';
import { Redis } from 'ioredis';
import { error, ok, reason, warn, withTimeout, type Finding } from './finding.ts';

// Acknowledged events wait in Redis until the worker stores them, so persistence and eviction
// are errors here, not the warnings the api logs at start.

const MIN_VERSION = [6, 2] as const; // XAUTOCLAIM, which the writers use to take over a dead writer's entries

export async function checkRedis(url: string): Promise<Finding[]> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5_000,
  });
  redis.on('error', () => undefined);
  const where = new URL(url).host;
  try {
    await withTimeout(
      6_000,
      `Redis at ${where}`,
      redis.connect().then(() => redis.ping()),
    );
  } catch (e) {
    redis.disconnect();
    return [error('redis', `cannot reach Redis at ${where}: ${reason(e)}`, 'start Redis, or correct REDIS_URL')];
  }
  try {
    const findings: Finding[] = [ok('redis', `connected to ${where}`)];
    const info = await redis.info('server');
    const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? '0';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
      findings.push(
        error('redis-version', `Redis ${version} is older than 6.2`, 'upgrade Redis to 6.2 or newer (7 recommended)'),
      );
    }
    const p = await inspectRedisPersistence(redis);
    findings.push(
      p.appendonly === 'yes'
        ? ok('redis-persistence', `AOF is on (appendfsync ${p.appendfsync})`)
        : p.appendonly === 'unknown'
          ? warn(
              'redis-persistence',
              'Redis does not say whether AOF is on (CONFIG and INFO hide it)',
              'make sure your Redis runs with appendonly yes (managed Redis: enable AOF persistence)',
            )
          : error(
              'redis-persistence',
              'Redis runs with appendonly no: a Redis restart loses acknowledged events not yet in PostgreSQL, queued jobs and usage counters',
              'set appendonly yes and appendfsync everysec (redis.conf, or CONFIG SET appendonly yes then CONFIG REWRITE)',
            ),
    );
    findings.push(
      p.maxmemoryPolicy === 'noeviction'
        ? ok('redis-eviction', 'maxmemory-policy is noeviction')
        : p.maxmemoryPolicy === 'unknown'
          ? warn(
              'redis-eviction',
              'Redis does not say its maxmemory-policy',
              'make sure maxmemory-policy is noeviction',
            )
          : error(
              'redis-eviction',
              `maxmemory-policy is ${p.maxmemoryPolicy}: a full Redis silently evicts queued events and jobs`,
              'set maxmemory-policy noeviction (ingestion then answers 503 instead of losing data)',
            ),
    );
    return findings;
  } finally {
    redis.disconnect();
  }
}

import { hostname } from 'node:os';
import { CRASHES_STREAM, EVENTS_STREAM, WRITER_GROUP, type Logger } from '@sightline/core';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createCrashBatchHandler } from './crash-writer.ts';
import { createEventBatchHandler, type WriterMetrics } from './event-writer.ts';
import { startStreamConsumer } from './stream-consumer.ts';

export interface IngestWriterOptions {
  pool: pg.Pool;
  /** A connection of its own: consumers block on it. */
  redis: Redis;
  log: Logger;
  namespace?: string;
  metrics?: WriterMetrics;
  batchEntries?: number;
  claimIdleMs?: number;
}

/** The event writer and the crash writer, each a consumer of its buffer stream. */
export function startIngestWriters(options: IngestWriterOptions) {
  const namespace = options.namespace ?? 'sightline';
  const consumer = `${hostname()}-${process.pid}`;
  const common = { group: WRITER_GROUP, consumer, log: options.log, claimIdleMs: options.claimIdleMs };
  const events = startStreamConsumer({
    ...common,
    redis: options.redis,
    stream: `${namespace}:${EVENTS_STREAM}`,
    batchEntries: options.batchEntries ?? 200,
    handle: createEventBatchHandler({
      pool: options.pool,
      redis: options.redis,
      namespace,
      log: options.log,
      metrics: options.metrics,
    }),
  });
  // Its own connection: two consumers blocking on one connection would queue behind each other.
  const crashRedis = options.redis.duplicate();
  const crashes = startStreamConsumer({
    ...common,
    redis: crashRedis,
    stream: `${namespace}:${CRASHES_STREAM}`,
    batchEntries: 100,
    handle: createCrashBatchHandler({ pool: options.pool, redis: crashRedis, namespace, log: options.log }),
  });
  return {
    async close(): Promise<void> {
      await Promise.all([events.close(), crashes.close()]);
      crashRedis.disconnect();
    },
  };
}

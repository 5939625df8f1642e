import { hostname } from 'node:os';
import {
  CRASHES_STREAM,
  EVENTS_STREAM,
  WRITER_GROUP,
  type DeadLetterLimits,
  type GroupOutcome,
  type Logger,
} from '@sightline/core';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createCrashBatchHandler } from './crash-writer.ts';
import { createDeadLetterSink, isDataError } from './dead-letters.ts';
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
  /**
   * Payload bytes per event batch; crash batches get a quarter (a crash costs more heap per
   * byte: fingerprinting, grouping, its rows) — the heap holds both writers' batches at once.
   */
  batchBytes?: number;
  claimIdleMs?: number;
  /** Caps of the dead-letter list (count and payload bytes). */
  deadLetterLimits?: DeadLetterLimits;
  /** Hears what each committed crash batch did to its groups (alerts). */
  onGrouped?: (outcomes: GroupOutcome[]) => Promise<void>;
}

/** The event writer and the crash writer, each a consumer of its buffer stream. */
export function startIngestWriters(options: IngestWriterOptions) {
  const namespace = options.namespace ?? 'sightline';
  const consumer = `${hostname()}-${process.pid}`;
  const batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
  const common = {
    group: WRITER_GROUP,
    consumer,
    log: options.log,
    claimIdleMs: options.claimIdleMs,
    isPoison: isDataError,
  };
  const sink = (redis: Redis, stream: 'events' | 'crashes') =>
    createDeadLetterSink({
      redis,
      namespace,
      stream,
      log: options.log,
      limits: options.deadLetterLimits,
      onDeadLetter: (kind) => options.metrics?.deadLetter(kind),
    });
  const eventsDeadLetter = sink(options.redis, 'events');
  const events = startStreamConsumer({
    ...common,
    redis: options.redis,
    stream: `${namespace}:${EVENTS_STREAM}`,
    batchEntries: options.batchEntries ?? 200,
    batchBytes,
    handle: createEventBatchHandler({ pool: options.pool, deadLetter: eventsDeadLetter, metrics: options.metrics }),
    deadLetter: (entry, reason) => eventsDeadLetter(entry, reason, 'refused'),
  });
  // Its own connection: two consumers blocking on one connection would queue behind each other.
  const crashRedis = options.redis.duplicate();
  // duplicate() does not copy listeners: without one, a Redis restart is an unhandled error event.
  crashRedis.on('error', (err: Error) =>
    options.log.warn({ err: err.message }, 'redis connection error (crash writer)'),
  );
  const crashesDeadLetter = sink(crashRedis, 'crashes');
  const crashes = startStreamConsumer({
    ...common,
    redis: crashRedis,
    stream: `${namespace}:${CRASHES_STREAM}`,
    batchEntries: 500,
    batchBytes: Math.max(64 * 1024, Math.floor(batchBytes / 4)),
    handle: createCrashBatchHandler({
      pool: options.pool,
      deadLetter: crashesDeadLetter,
      log: options.log,
      onGrouped: options.onGrouped,
    }),
    deadLetter: (entry, reason) => crashesDeadLetter(entry, reason, 'refused'),
  });
  return {
    async close(): Promise<void> {
      await Promise.all([events.close(), crashes.close()]);
      crashRedis.disconnect();
    },
  };
}

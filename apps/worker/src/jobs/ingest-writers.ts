import { hostname } from 'node:os';
import {
  BUFFER_STREAM_NAMES,
  bufferStreamKeys,
  WRITER_GROUP,
  type BufferStreamName,
  type DeadLetterLimits,
  type GroupOutcome,
  type Logger,
} from '@sightline/core';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createCrashBatchHandler } from './crash-writer.ts';
import { createDeadLetterSink, isDataError, type DeadLetterSink } from './dead-letters.ts';
import { createEventBatchHandler, type WriterMetrics } from './event-writer.ts';
import { startStreamConsumer, type StreamEntry } from './stream-consumer.ts';

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

/** How one buffer stream is written: its batch handler and how much a batch may hold. */
interface StreamWriter {
  /** Names the writer in logs. */
  label: string;
  batchEntries: number;
  batchBytes: number;
  handler(deadLetter: DeadLetterSink): (entries: StreamEntry[]) => Promise<void>;
}

/** One writer per buffer stream: a stream in BUFFER_STREAMS without one is a type error here. */
function streamWriters(options: IngestWriterOptions): Record<BufferStreamName, StreamWriter> {
  const batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
  return {
    events: {
      label: 'event writer',
      batchEntries: options.batchEntries ?? 200,
      batchBytes,
      handler: (deadLetter) => createEventBatchHandler({ pool: options.pool, deadLetter, metrics: options.metrics }),
    },
    crashes: {
      label: 'crash writer',
      batchEntries: 500,
      batchBytes: Math.max(64 * 1024, Math.floor(batchBytes / 4)),
      handler: (deadLetter) =>
        createCrashBatchHandler({ pool: options.pool, deadLetter, log: options.log, onGrouped: options.onGrouped }),
    },
  };
}

/** A writer per buffer stream (the event writer, the crash writer), each a consumer of its stream. */
export function startIngestWriters(options: IngestWriterOptions) {
  const namespace = options.namespace ?? 'sightline';
  const consumer = `${hostname()}-${process.pid}`;
  const keys = bufferStreamKeys(namespace);
  const writers = streamWriters(options);
  const connections: Redis[] = [];
  const consumers = BUFFER_STREAM_NAMES.map((stream, i) => {
    const writer = writers[stream];
    // Each consumer blocks on a connection of its own: two on one connection would queue behind each other.
    let redis = options.redis;
    if (i > 0) {
      redis = options.redis.duplicate();
      // duplicate() does not copy listeners: without one, a Redis restart is an unhandled error event.
      redis.on('error', (err: Error) =>
        options.log.warn({ err: err.message }, `redis connection error (${writer.label})`),
      );
      connections.push(redis);
    }
    const deadLetter = createDeadLetterSink({
      redis,
      namespace,
      stream,
      log: options.log,
      limits: options.deadLetterLimits,
      onDeadLetter: (kind) => options.metrics?.deadLetter(kind),
    });
    return startStreamConsumer({
      group: WRITER_GROUP,
      consumer,
      log: options.log,
      claimIdleMs: options.claimIdleMs,
      isPoison: isDataError,
      redis,
      stream: keys[stream],
      batchEntries: writer.batchEntries,
      batchBytes: writer.batchBytes,
      handle: writer.handler(deadLetter),
      deadLetter: (entry, reason) => deadLetter(entry, reason, 'refused'),
    });
  });
  return {
    async close(): Promise<void> {
      await Promise.all(consumers.map((c) => c.close()));
      for (const redis of connections) redis.disconnect();
    },
  };
}

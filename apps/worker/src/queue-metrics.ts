import { BUFFER_STREAM_NAMES, bufferStreamKeys, WRITER_GROUP } from '@sightline/core';
import { QUEUES } from '@sightline/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';

// How much work waits, read from Redis when Prometheus scrapes: BullMQ job counts per queue
// and state, and the ingestion streams' length and unacknowledged (pending) entries. A scrape
// costs one snapshot of a handful of O(1) Redis commands (BullMQ's counts are ZCARD/LLEN,
// XLEN is O(1), XPENDING's summary form is O(consumers)); snapshots are reused for
// `cacheMs`, so scraping often, or from several Prometheus servers, adds no load, and a
// Redis that does not answer within `timeoutMs` leaves the gauges empty instead of the
// scrape hanging.

/** The BullMQ queues the worker consumes, by their label in the metrics. */
export const WORKER_QUEUES = {
  maintenance: QUEUES.maintenance,
  alerts: QUEUES.alerts,
  analytics: QUEUES.analytics,
  privacy: QUEUES.privacy,
} as const;

export const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed'] as const;

interface Snapshot {
  jobs: { queue: string; state: string; count: number }[];
  streams: { stream: string; length: number; pending: number }[];
}

export interface QueueMetricsOptions {
  connection: Redis;
  /** BullMQ key prefix (queuePrefix(env)). */
  prefix: string;
  /** REDIS_PREFIX: the ingestion streams live under it. */
  namespace: string;
  cacheMs?: number;
  timeoutMs?: number;
}

async function pendingCount(redis: Redis, stream: string): Promise<number> {
  try {
    const summary = (await redis.xpending(stream, WRITER_GROUP)) as [number | string, ...unknown[]];
    return Number(summary[0]);
  } catch (error) {
    // No stream or no writer group yet (nothing ingested since Redis was emptied): nothing pending.
    if (error instanceof Error && error.message.includes('NOGROUP')) return 0;
    throw error;
  }
}

export function registerQueueMetrics(registry: Registry, options: QueueMetricsOptions) {
  const cacheMs = options.cacheMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const queues = Object.entries(WORKER_QUEUES).map(([label, name]) => {
    const queue = new Queue(name, { connection: options.connection, prefix: options.prefix });
    // Connection errors are the connection owner's to log (main.ts); a failed read shows as
    // empty gauges.
    queue.on('error', () => undefined);
    return [label, queue] as const;
  });
  const keys = bufferStreamKeys(options.namespace);
  const streams = BUFFER_STREAM_NAMES.map((stream) => ({ stream, key: keys[stream] }));

  async function read(): Promise<Snapshot> {
    const [jobs, streamStats] = await Promise.all([
      Promise.all(
        queues.map(async ([queue, q]) => {
          const counts = await q.getJobCounts(...QUEUE_STATES);
          return QUEUE_STATES.map((state) => ({ queue, state, count: counts[state] ?? 0 }));
        }),
      ),
      Promise.all(
        streams.map(async ({ stream, key }) => ({
          stream,
          length: await options.connection.xlen(key),
          pending: await pendingCount(options.connection, key),
        })),
      ),
    ]);
    return { jobs: jobs.flat(), streams: streamStats };
  }

  let cached: { at: number; value: Promise<Snapshot | null> } | undefined;
  /** One snapshot shared by the three gauges of a scrape (and by scrapes within cacheMs). */
  function snapshot(): Promise<Snapshot | null> {
    const now = Date.now();
    if (cached && now - cached.at < cacheMs) return cached.value;
    let timer: NodeJS.Timeout | undefined;
    const value = Promise.race([
      read(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ])
      .catch(() => null)
      .finally(() => clearTimeout(timer));
    cached = { at: now, value };
    return value;
  }

  new Gauge({
    name: 'sightline_queue_jobs',
    help: 'BullMQ jobs per queue and state (waiting, active, failed, delayed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      for (const { queue, state, count } of snap?.jobs ?? []) this.set({ queue, state }, count);
    },
  });
  new Gauge({
    name: 'sightline_ingest_stream_length',
    help: 'Entries in the ingestion stream (XLEN): accepted requests not yet trimmed after storing',
    labelNames: ['stream'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      for (const { stream, length } of snap?.streams ?? []) this.set({ stream }, length);
    },
  });
  new Gauge({
    name: 'sightline_ingest_stream_pending',
    help: 'Ingestion stream entries a writer has read but not acknowledged (XPENDING)',
    labelNames: ['stream'],
    registers: [registry],
    async collect() {
      const snap = await snapshot();
      this.reset();
      for (const { stream, pending } of snap?.streams ?? []) this.set({ stream }, pending);
    },
  });

  return {
    /** Closes the metrics' queue handles (the connection stays the caller's). */
    close: () => Promise.allSettled(queues.map(([, q]) => q.close())),
  };
}

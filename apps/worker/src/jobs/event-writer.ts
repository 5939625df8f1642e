import { DEAD_LETTERS, type BufferedBatch, type Logger } from '@sightline/core';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { deriveSessions } from './sessions.ts';
import type { StreamEntry } from './stream-consumer.ts';

export interface WriterMetrics {
  observeBatch(rows: number, seconds: number): void;
  deadLetter(reason: string): void;
}

/** Buffered requests → rows. An entry that cannot be read goes to the dead-letter list. */
export function decodeEntries(entries: StreamEntry[]): {
  rows: EventRow[];
  bad: Array<{ entry: StreamEntry; reason: string }>;
} {
  const rows: EventRow[] = [];
  const bad: Array<{ entry: StreamEntry; reason: string }> = [];
  for (const entry of entries) {
    let batch: BufferedBatch;
    try {
      batch = JSON.parse(entry.payload) as BufferedBatch;
      if (typeof batch.o !== 'string' || typeof batch.a !== 'number' || !Array.isArray(batch.e))
        throw new Error('not a buffered batch');
    } catch (error) {
      bad.push({ entry, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const e of batch.e) {
      rows.push({
        orgId: batch.o,
        appId: batch.a,
        receivedAt: batch.r,
        id: e[0],
        occurredAt: e[1],
        type: e[2],
        name: e[3],
        deviceId: e[4],
        sessionId: e[5],
        userId: e[6],
        appVersion: e[7],
        environment: e[8],
        os: e[9],
        osVersion: e[10],
        browser: e[11],
        deviceModel: e[12],
        country: e[13],
        value: e[14],
        data: e[15],
      });
    }
  }
  return { rows, bad };
}

/**
 * The event writer's batch handler: COPY every row of the batch in one transaction through
 * the idempotent store writer (a replayed batch adds nothing), then derive sessions. It
 * resolves only after the commit; the consumer acknowledges the entries after that.
 */
export function createEventBatchHandler(deps: {
  pool: pg.Pool;
  redis: Redis;
  namespace: string;
  log: Logger;
  metrics?: WriterMetrics;
}) {
  const writer = createEventWriter(deps.pool);
  return async (entries: StreamEntry[]): Promise<void> => {
    const { rows, bad } = decodeEntries(entries);
    for (const { entry, reason } of bad) {
      await deps.redis.lpush(
        `${deps.namespace}:${DEAD_LETTERS}`,
        JSON.stringify({
          stream: 'events',
          id: entry.id,
          reason,
          payload: entry.payload.slice(0, 10_000),
          at: new Date().toISOString(),
        }),
      );
      deps.metrics?.deadLetter('unreadable');
      deps.log.error({ entryId: entry.id, reason }, 'unreadable buffer entry moved to the dead-letter list');
    }
    if (rows.length === 0) return;
    const started = process.hrtime.bigint();
    const result = await writer.write(rows);
    // A replay (rows already stored) must not count its events into sessions twice.
    if (result.duplicates === 0) await deriveSessions(deps.pool, rows);
    deps.metrics?.observeBatch(rows.length, Number(process.hrtime.bigint() - started) / 1e9);
  };
}

import { refusingDevices, type BufferedBatch } from '@sightline/core';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import type pg from 'pg';
import type { DeadLetterSink } from './dead-letters.ts';
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
export function createEventBatchHandler(deps: { pool: pg.Pool; deadLetter: DeadLetterSink; metrics?: WriterMetrics }) {
  const writer = createEventWriter(deps.pool);
  return async (entries: StreamEntry[]): Promise<void> => {
    const decoded = decodeEntries(entries);
    for (const { entry, reason } of decoded.bad) await deps.deadLetter(entry, reason, 'unreadable');
    // Devices that opted out or turned usage analytics off, and what a device recorded before it asked for deletion, are not stored.
    const refused = await refusingDevices(deps.pool, decoded.rows, 'analytics');
    const rows = decoded.rows.filter((r) => !refused(r));
    if (rows.length === 0) return;
    const started = process.hrtime.bigint();
    await writer.write(rows, deriveSessions);
    deps.metrics?.observeBatch(rows.length, Number(process.hrtime.bigint() - started) / 1e9);
  };
}

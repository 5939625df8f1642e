import { refusingDevices, type BufferedBatch, type BufferedEvent } from '@sightline/core';
import { createEventWriter, type EventRow, type EventWriter } from '@sightline/db/event-store';
import type pg from 'pg';
import { isDataError, type DeadLetterSink } from './dead-letters.ts';
import { deriveSessions } from './sessions.ts';
import type { StreamEntry } from './stream-consumer.ts';

export interface WriterMetrics {
  observeBatch(rows: number, seconds: number): void;
  deadLetter(reason: string): void;
}

/** Where a row came from: enough to dead-letter that one event on its own. */
export interface RowOrigin {
  entry: StreamEntry;
  index: number;
  batch: BufferedBatch;
  event: BufferedEvent;
}

/** Buffered requests → rows. An entry that cannot be read goes to the dead-letter list. */
export function decodeEntries(entries: StreamEntry[]): {
  rows: EventRow[];
  /** Parallel to `rows`. */
  origins: RowOrigin[];
  bad: Array<{ entry: StreamEntry; reason: string }>;
} {
  const rows: EventRow[] = [];
  const origins: RowOrigin[] = [];
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
    for (const [index, e] of batch.e.entries()) {
      origins.push({ entry, index, batch, event: e });
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
  return { rows, origins, bad };
}

/**
 * Writes the rows; when PostgreSQL refuses the data, halves them until the row at fault
 * stands alone and dead-letters that one event (with its entry id and index), so the good
 * events of the same request are stored. Each half commits on its own: a replay after a
 * crash in between is absorbed by the writer's idempotence.
 */
async function writeIsolating(
  writer: EventWriter,
  rows: EventRow[],
  origins: RowOrigin[],
  deadLetter: DeadLetterSink,
): Promise<void> {
  try {
    await writer.write(rows, deriveSessions);
  } catch (error) {
    if (!isDataError(error)) throw error;
    const [origin] = origins;
    if (rows.length === 1 && origin) {
      const { o, a, r } = origin.batch;
      const alone: BufferedBatch = { o, a, r, e: [origin.event] };
      await deadLetter(origin.entry, error instanceof Error ? error.message : String(error), 'refused', {
        index: origin.index,
        eventId: String(origin.event[0]),
        payload: JSON.stringify(alone),
      });
      return;
    }
    const middle = Math.ceil(rows.length / 2);
    await writeIsolating(writer, rows.slice(0, middle), origins.slice(0, middle), deadLetter);
    await writeIsolating(writer, rows.slice(middle), origins.slice(middle), deadLetter);
  }
}

/**
 * The event writer's batch handler: COPY every row of the batch in one transaction through
 * the idempotent store writer (a replayed batch adds nothing), then derive sessions. It
 * resolves only after the commit; the consumer acknowledges the entries after that. Rows
 * PostgreSQL refuses are isolated to the event (writeIsolating), never the whole request.
 */
export function createEventBatchHandler(deps: { pool: pg.Pool; deadLetter: DeadLetterSink; metrics?: WriterMetrics }) {
  const writer = createEventWriter(deps.pool);
  return async (entries: StreamEntry[]): Promise<void> => {
    const decoded = decodeEntries(entries);
    for (const { entry, reason } of decoded.bad) await deps.deadLetter(entry, reason, 'unreadable');
    // Devices that opted out or turned usage analytics off, and what a device recorded before it asked for deletion, are not stored.
    const refused = await refusingDevices(deps.pool, decoded.rows, 'analytics');
    const rows: EventRow[] = [];
    const origins: RowOrigin[] = [];
    decoded.rows.forEach((row, i) => {
      if (refused(row)) return;
      rows.push(row);
      origins.push(decoded.origins[i] as RowOrigin);
    });
    if (rows.length === 0) return;
    const started = process.hrtime.bigint();
    await writeIsolating(writer, rows, origins, deps.deadLetter);
    deps.metrics?.observeBatch(rows.length, Number(process.hrtime.bigint() - started) / 1e9);
  };
}

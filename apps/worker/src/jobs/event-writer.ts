import {
  appendEventRows,
  decodeEventBatch,
  deriveSessions,
  encodeOneEventOf,
  indexOfBufferedEvent,
  refusingDevices,
  type BufferedBatch,
} from '@sightline/core';
import { createEventWriter, type EventRow, type EventWriter } from '@sightline/db/event-store';
import type pg from 'pg';
import { isDataError, type DeadLetterSink, type RefusedEvent } from './dead-letters.ts';
import type { StreamEntry } from './stream-consumer.ts';

export interface WriterMetrics {
  observeBatch(rows: number, seconds: number): void;
  deadLetter(reason: string): void;
}

/** A decoded entry: where a refused row is looked up (only then, so rows carry no back-reference). */
export interface DecodedEntry {
  entry: StreamEntry;
  batch: BufferedBatch;
}

/** Buffered requests → rows. An entry that cannot be read goes to the dead-letter list. */
export function decodeEntries(entries: StreamEntry[]): {
  rows: EventRow[];
  decoded: DecodedEntry[];
  bad: Array<{ entry: StreamEntry; reason: string }>;
} {
  const rows: EventRow[] = [];
  const decoded: DecodedEntry[] = [];
  const bad: Array<{ entry: StreamEntry; reason: string }> = [];
  for (const entry of entries) {
    let batch: BufferedBatch;
    try {
      batch = decodeEventBatch(entry.payload);
    } catch (error) {
      bad.push({ entry, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    decoded.push({ entry, batch });
    appendEventRows(batch, rows);
  }
  return { rows, decoded, bad };
}

/** The entry a row's event came from, as a payload of its own (the failure path only: a scan is fine there). */
function originOf(row: EventRow, decoded: readonly DecodedEntry[]): { entry: StreamEntry; event: RefusedEvent } | null {
  for (const { entry, batch } of decoded) {
    if (batch.a !== row.appId || batch.o !== row.orgId) continue;
    const index = indexOfBufferedEvent(batch, row.id, row.occurredAt);
    if (index >= 0) return { entry, event: { index, eventId: row.id, payload: encodeOneEventOf(batch, index) } };
  }
  return null;
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
  decoded: readonly DecodedEntry[],
  deadLetter: DeadLetterSink,
): Promise<void> {
  try {
    await writer.write(rows, deriveSessions);
  } catch (error) {
    if (!isDataError(error)) throw error;
    const [row] = rows;
    if (rows.length === 1 && row) {
      const origin = originOf(row, decoded);
      if (!origin) throw error;
      await deadLetter(origin.entry, error instanceof Error ? error.message : String(error), 'refused', origin.event);
      return;
    }
    const middle = Math.ceil(rows.length / 2);
    await writeIsolating(writer, rows.slice(0, middle), decoded, deadLetter);
    await writeIsolating(writer, rows.slice(middle), decoded, deadLetter);
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
    const rows = decoded.rows.filter((r) => !refused(r));
    if (rows.length === 0) return;
    const started = process.hrtime.bigint();
    await writeIsolating(writer, rows, decoded.decoded, deps.deadLetter);
    deps.metrics?.observeBatch(rows.length, Number(process.hrtime.bigint() - started) / 1e9);
  };
}

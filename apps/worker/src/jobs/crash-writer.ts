import {
  clearAlertOutbox,
  decodeCrashRecord,
  refusingDevices,
  storeAndGroupCrashes,
  writeAlertOutbox,
  type CrashRecord,
  type GroupOutcome,
  type Logger,
} from '@sightline/core';
import { markDirtyHours } from '@sightline/db/event-store';
import type pg from 'pg';
import type { DeadLetterSink } from './dead-letters.ts';
import type { StreamEntry } from './stream-consumer.ts';

/**
 * Buffered crash reports → crash_reports and their crash groups, in one transaction,
 * idempotent on the report id stamped at ingestion (the id the api answered with).
 * `onGrouped` hears what changed (new groups, regressions) once it is committed; the same
 * transaction writes those outcomes to the alert outbox, cleared once they are heard, so
 * a worker dying in between leaves them to the alert sweep instead of losing the alerts.
 */
export function createCrashBatchHandler(deps: {
  pool: pg.Pool;
  deadLetter: DeadLetterSink;
  log: Logger;
  onGrouped?: (outcomes: GroupOutcome[]) => Promise<void> | void;
}) {
  /**
   * The batch is committed by now, and a replay would find nothing new to alert on: so
   * alerting is retried here a few times and then left to the sweep, never failing the batch.
   */
  async function announce(outcomes: GroupOutcome[], outbox: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.onGrouped?.(outcomes);
        await clearAlertOutbox(deps.pool, outbox);
        return;
      } catch (error) {
        if (attempt >= 3) {
          deps.log.warn(
            { err: error instanceof Error ? error.message : String(error), groups: outcomes.length },
            'crash alerts not queued yet; the alert sweep will pick them up from the outbox',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  return async (entries: StreamEntry[]): Promise<void> => {
    const reports: CrashRecord[] = [];
    for (const entry of entries) {
      try {
        reports.push(decodeCrashRecord(entry.payload));
      } catch (error) {
        await deps.deadLetter(entry, error instanceof Error ? error.message : String(error), 'unreadable');
      }
    }
    // Devices that opted out or turned crash reports off, and what a device recorded before it asked for deletion, are not stored.
    const refused = await refusingDevices(deps.pool, reports, 'crashes');
    reports.splice(0, reports.length, ...reports.filter((r) => !refused(r)));
    if (reports.length === 0) return;
    const client = await deps.pool.connect();
    const ignoreLostConnection = () => undefined;
    client.on('error', ignoreLostConnection);
    let outcomes: GroupOutcome[];
    let outbox: string[] = [];
    try {
      await client.query('BEGIN');
      outcomes = await storeAndGroupCrashes(client, reports);
      // Crash counts and crash-free users are rolled up with the hour's events.
      await markDirtyHours(client, reports);
      if (deps.onGrouped) outbox = await writeAlertOutbox(client, outcomes);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.removeListener('error', ignoreLostConnection);
      client.release();
    }
    if (outcomes.length > 0) await announce(outcomes, outbox);
  };
}

import { storeAndGroupCrashes, type CrashRecord, type GroupOutcome } from '@sightline/core';
import type pg from 'pg';
import type { DeadLetterSink } from './dead-letters.ts';
import type { StreamEntry } from './stream-consumer.ts';

/**
 * Buffered crash reports → crash_reports and their crash groups, in one transaction,
 * idempotent on the report id stamped at ingestion (the id the api answered with).
 * `onGrouped` hears what changed (new groups, regressions) once it is committed.
 */
export function createCrashBatchHandler(deps: {
  pool: pg.Pool;
  deadLetter: DeadLetterSink;
  onGrouped?: (outcomes: GroupOutcome[]) => Promise<void> | void;
}) {
  return async (entries: StreamEntry[]): Promise<void> => {
    const reports: CrashRecord[] = [];
    for (const entry of entries) {
      try {
        const report = JSON.parse(entry.payload) as CrashRecord;
        if (typeof report.id !== 'string' || typeof report.orgId !== 'string' || typeof report.crashType !== 'string')
          throw new Error('not a crash report');
        reports.push({
          ...report,
          sdkFingerprint: Array.isArray(report.sdkFingerprint) ? report.sdkFingerprint : null,
        });
      } catch (error) {
        await deps.deadLetter(entry, error instanceof Error ? error.message : String(error), 'unreadable');
      }
    }
    if (reports.length === 0) return;
    const client = await deps.pool.connect();
    const ignoreLostConnection = () => undefined;
    client.on('error', ignoreLostConnection);
    let outcomes: GroupOutcome[];
    try {
      await client.query('BEGIN');
      outcomes = await storeAndGroupCrashes(client, reports);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.removeListener('error', ignoreLostConnection);
      client.release();
    }
    await deps.onGrouped?.(outcomes);
  };
}

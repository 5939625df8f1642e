import type pg from 'pg';

export const DAY_MS = 86_400_000;

// Serialises partition DDL between workers; the creating statement is idempotent anyway,
// but two concurrent CREATE ... PARTITION OF on the same range would make one of them fail.
const PARTITION_DDL_LOCK_KEY = 0x5349_4748; // "SIGH"

export interface EventPartition {
  name: string;
  /** Inclusive start of the day (UTC). */
  from: Date;
  /** Exclusive end. */
  to: Date;
}

/** `events_p20261122` for the UTC day holding `dayIndex` (days since the epoch). */
export function partitionName(dayIndex: number): string {
  return `events_p${new Date(dayIndex * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export function dayIndexOf(time: Date | number): number {
  return Math.floor((typeof time === 'number' ? time : time.getTime()) / DAY_MS);
}

function dayLiteral(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

/** Creates the day partitions for every day index given (those that exist are left alone). */
export async function ensureEventPartitions(pool: pg.Pool, dayIndexes: Iterable<number>): Promise<string[]> {
  const days = [...new Set(dayIndexes)].sort((a, b) => a - b);
  if (days.length === 0) return [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_DDL_LOCK_KEY]);
    for (const day of days) {
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${partitionName(day)}" PARTITION OF "events"
           FOR VALUES FROM ('${dayLiteral(day)}T00:00:00Z') TO ('${dayLiteral(day + 1)}T00:00:00Z')`,
      );
    }
    await client.query('COMMIT');
    return days.map(partitionName);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Creates today's partition and the next `daysAhead` days' (the worker runs this daily). */
export async function createPartitionsAhead(pool: pg.Pool, daysAhead = 3, now = Date.now()): Promise<string[]> {
  const today = dayIndexOf(now);
  return ensureEventPartitions(pool, Array.from({ length: daysAhead + 1 }, (_, i) => today + i));
}

export async function listEventPartitions(pool: pg.Pool): Promise<EventPartition[]> {
  const { rows } = await pool.query<{ name: string; bound: string }>(`
    SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'events' AND p.relnamespace = current_schema()::regnamespace
     ORDER BY c.relname`);
  return rows.flatMap((row) => {
    const match = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(row.bound);
    if (!match?.[1] || !match[2]) return [];
    return [{ name: row.name, from: new Date(match[1]), to: new Date(match[2]) }];
  });
}

/**
 * Drops whole day partitions that end at or before `cutoff` — expiry without a row-by-row
 * DELETE. Detaching concurrently keeps writers to other days unblocked.
 */
export async function dropEventPartitionsBefore(pool: pg.Pool, cutoff: Date): Promise<string[]> {
  const expired = (await listEventPartitions(pool)).filter((p) => p.to.getTime() <= cutoff.getTime());
  for (const partition of expired) {
    await pool.query(`ALTER TABLE "events" DETACH PARTITION "${partition.name}" CONCURRENTLY`);
    await pool.query(`DROP TABLE IF EXISTS "${partition.name}"`);
  }
  return expired.map((p) => p.name);
}

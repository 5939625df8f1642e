import pg from 'pg';
import { readMigrations } from './runner.ts';

export interface MigrationStatus {
  /** Applied and finished, in name order, with when. */
  applied: Array<{ name: string; finishedAt: Date }>;
  /** In the repository but not applied (or started and never finished), in name order. */
  pending: string[];
  /** Started but never finished: `migrate` refuses to go on until an operator looks. */
  failed: string[];
  /** Applied, and their file changed since (the runner refuses these too). */
  edited: string[];
  /** Recorded in the database but absent from this release (a newer release ran here). */
  unknown: string[];
  /** Whether the database exists at all (a fresh server has none until `migrate`). */
  databaseExists: boolean;
}

const INVALID_CATALOG = '3D000';
const UNDEFINED_TABLE = '42P01';

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Compares `_prisma_migrations` with the repository's migrations; reads only. */
export async function migrationStatus(
  connectionString: string,
  options: { dir?: string } = {},
): Promise<MigrationStatus> {
  const migrations = await readMigrations(options.dir);
  const rows = await readApplied(connectionString);
  const status: MigrationStatus = {
    applied: [],
    pending: [],
    failed: [],
    edited: [],
    unknown: [],
    databaseExists: rows !== null,
  };
  const recorded = new Map((rows ?? []).filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
  for (const migration of migrations) {
    const row = recorded.get(migration.name);
    if (row?.finished_at) {
      status.applied.push({ name: migration.name, finishedAt: row.finished_at });
      if (row.checksum !== migration.checksum) status.edited.push(migration.name);
    } else {
      status.pending.push(migration.name);
      if (row) status.failed.push(migration.name);
    }
  }
  const known = new Set(migrations.map((m) => m.name));
  status.unknown = [...recorded.keys()].filter((name) => !known.has(name)).sort();
  return status;
}

/** null when the database does not exist; [] when it exists but was never migrated. */
async function readApplied(connectionString: string): Promise<Row[] | null> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: unknown }).code === INVALID_CATALOG) return null;
    throw error;
  }
  try {
    const { rows } = await client.query<Row>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    return rows;
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return [];
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

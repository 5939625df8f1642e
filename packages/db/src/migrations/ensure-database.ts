import pg from 'pg';

const DUPLICATE_DATABASE = '42P04';
// Two CREATE DATABASE racing can also fail on pg_database's unique index instead.
const UNIQUE_VIOLATION = '23505';
const INVALID_CATALOG = '3D000';

/**
 * Creates the database named in `connectionString` when the server has no such database
 * yet, so a fresh machine needs nothing but a running PostgreSQL. Returns true if created.
 */
export async function ensureDatabaseExists(connectionString: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if (!hasCode(error, INVALID_CATALOG)) throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const url = new URL(connectionString);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    return true;
  } catch (error) {
    // Another process created it first: fine.
    if (hasCode(error, DUPLICATE_DATABASE) || hasCode(error, UNIQUE_VIOLATION)) return false;
    throw error;
  } finally {
    await admin.end();
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

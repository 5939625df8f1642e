import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, readMigrations } from '../migrations/runner.ts';

const TEMPLATE_LOCK_KEY = 0x5349_4754; // "SIGT"

export function assertTestDatabaseName(name: string): void {
  if (!/^[a-z0-9_]+_test$/.test(name)) {
    throw new Error(`refusing to touch database "${name}": test databases must be named like sightline_…_test`);
  }
}

/** The server the tests run against; DATABASE_URL's server, defaulting to the local one. */
export function serverUrl(database: string): string {
  // Tests read the environment directly: they run outside any app's validated config.
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/${database}`;
  return base.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function templateName(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of await readMigrations()) hash.update(m.name).update(m.checksum);
  return `sightline_tpl_${hash.digest('hex').slice(0, 12)}_test`;
}

/**
 * A migrated template database, built once per set of migrations; every test database
 * is a cheap copy of it. Safe when several test processes start at once.
 */
export async function ensureTemplateDatabase(): Promise<string> {
  const template = await templateName();
  assertTestDatabaseName(template);
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount) return;
      const stale = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'sightline\\_tpl\\_%\\_test'`,
      );
      for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}"`);
      const building = `${template.slice(0, -'_test'.length)}_building_test`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await applyMigrations(serverUrl(building));
      // Renamed only once complete, so a crash midway never leaves a half-built template.
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  return template;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, fully migrated database of its own (name ends in `_test`). */
export async function createTestDatabase(prefix = 'sightline_t'): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `${prefix}_${randomBytes(5).toString('hex')}_test`;
  assertTestDatabaseName(name);
  await withAdmin(async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // Two copies of one template at the same instant can collide on its lock; retry.
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
      }
    }
  });
  return {
    name,
    url: serverUrl(name),
    drop: () => dropTestDatabase(name),
  };
}

export async function dropTestDatabase(name: string): Promise<void> {
  assertTestDatabaseName(name);
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** An empty database (no migrations), for tests of the migrator itself. */
export async function createEmptyTestDatabase(prefix = 'sightline_e'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}_test`;
  assertTestDatabaseName(name);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return { name, url: serverUrl(name), drop: () => dropTestDatabase(name) };
}

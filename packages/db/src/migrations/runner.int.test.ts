import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyTestDatabase, type TestDatabase } from '../testing/index.ts';
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from './runner.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function emptyDb(): Promise<TestDatabase> {
  const db = await createEmptyTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function schemaShape(url: string): Promise<string[]> {
  const rows = await query<{ line: string }>(
    url,
    `SELECT table_name || '.' || column_name || ':' || data_type AS line
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.line);
}

describe('applyMigrations', () => {
  it('applies every migration once; a second run changes nothing', async () => {
    const db = await emptyDb();
    const migrations = await readMigrations();
    const first = await applyMigrations(db.url);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    const shape = await schemaShape(db.url);
    expect(shape).toContain('events.occurred_at:timestamp with time zone');

    const second = await applyMigrations(db.url);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations.length });
    expect(await schemaShape(db.url)).toEqual(shape);
  });

  it('leaves one correct schema when several processes migrate at the same moment', async () => {
    const db = await emptyDb();
    const results = await Promise.all(Array.from({ length: 4 }, () => applyMigrations(db.url)));
    const migrations = await readMigrations();
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.name).sort());
    const recorded = await query<{ migration_name: string; finished: boolean }>(
      db.url,
      `SELECT migration_name, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(recorded).toEqual(migrations.map((m) => ({ migration_name: m.name, finished: true })));
  });

  it('refuses a migration edited after it was applied', async () => {
    const db = await emptyDb();
    const dir = await mkdtemp(join(tmpdir(), 'sightline-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await applyMigrations(db.url, { dir });
    const [firstName] = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    await writeFile(join(dir, firstName!, 'migration.sql'), '-- edited\nSELECT 1;', { flag: 'a' });
    await expect(applyMigrations(db.url, { dir })).rejects.toThrow(/edited after it was applied/);
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const db = await emptyDb();
    const dir = await mkdtemp(join(tmpdir(), 'sightline-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const broken = join(dir, '99999999999999_broken');
    await cp(join(dir, (await readMigrations(dir))[0]!.name), broken, { recursive: true });
    await writeFile(join(broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    await expect(applyMigrations(db.url, { dir })).rejects.toThrow(/99999999999999_broken failed/);
    const tables = await query<{ n: string }>(db.url, `SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'`);
    expect(Number(tables[0]!.n)).toBe(0);
    const recorded = await query<{ n: string }>(
      db.url,
      `SELECT count(*) AS n FROM "_prisma_migrations" WHERE migration_name = '99999999999999_broken'`,
    );
    expect(Number(recorded[0]!.n)).toBe(0);
    // The earlier migrations stayed applied; fixing the file and re-running completes it.
    await writeFile(join(broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    expect((await applyMigrations(db.url, { dir })).applied).toEqual(['99999999999999_broken']);
  });
});

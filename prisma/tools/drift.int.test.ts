import { applyMigrations } from '@sightline/db/migrations';
import { createEmptyTestDatabase, type TestDatabase } from '@sightline/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDifferences, readCatalog, type Catalog } from './catalog.ts';
import { diffEmptyToSchema, diffMigrationsToSchema, hasStatements } from './schema-engine.ts';

// Fails when prisma/schema.prisma and prisma/migrations disagree. Two independent checks:
// Prisma's own diff of the migrations against the schema, and the real catalogs of one
// database built from the migrations and one built from the schema alone.
const databases: TestDatabase[] = [];
let fromMigrations: Catalog;
let fromSchema: TestDatabase;

async function exec(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const migrated = await createEmptyTestDatabase('sightline_drift_m');
  fromSchema = await createEmptyTestDatabase('sightline_drift_s');
  databases.push(migrated, fromSchema);
  await applyMigrations(migrated.url);
  await exec(fromSchema.url, await diffEmptyToSchema());
  fromMigrations = await readCatalog(migrated.url);
}, 120_000);

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

describe('schema.prisma and the migrations', () => {
  it('need no new migration, according to Prisma', async () => {
    const pending = await diffMigrationsToSchema();
    expect(hasStatements(pending), `run npm run migration:new -- <name>; pending:\n${pending}`).toBe(false);
  }, 120_000);

  it('build the same tables, columns, keys, indexes and enums', async () => {
    const differences = catalogDifferences(fromMigrations, await readCatalog(fromSchema.url));
    expect(differences).toEqual([]);
    expect(fromMigrations.tables).toContain('events');
    expect(fromMigrations.tables.length).toBeGreaterThan(20);
  });

  it('would notice a column the schema lacks (the comparison is not vacuous)', async () => {
    await exec(fromSchema.url, 'ALTER TABLE devices ADD COLUMN carrier text; CREATE INDEX devices_carrier ON devices (carrier)');
    try {
      const differences = catalogDifferences(fromMigrations, await readCatalog(fromSchema.url));
      expect(differences).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\+ columns: devices\.carrier /), expect.stringMatching(/^\+ indexes: devices devices_carrier/)]),
      );
    } finally {
      await exec(fromSchema.url, 'ALTER TABLE devices DROP COLUMN carrier');
    }
  });
});

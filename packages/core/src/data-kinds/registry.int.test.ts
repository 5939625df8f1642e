import { createPool } from '@sightline/db';
import { createPartitionsAhead } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryProblems, type SchemaColumn } from './check.ts';

// The registry against the schema the migrations make: a table that holds device or user
// ids and is missing from data-kinds/registry.ts fails here, named, and so does a table the
// registry names that the database does not have. Without this, retention and GDPR would
// silently skip a new kind's table.

let db: TestDatabase;
let pool: pg.Pool;

/** Every column of every table; a partition's columns are its parent's. */
async function schemaColumns(): Promise<SchemaColumn[]> {
  const { rows } = await pool.query<SchemaColumn>(
    `SELECT c.table_name AS table, c.column_name AS column
       FROM information_schema.columns c
       JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = to_regnamespace(c.table_schema)
      WHERE c.table_schema = current_schema() AND k.relkind IN ('r', 'p') AND NOT k.relispartition
      ORDER BY c.table_name, c.ordinal_position`,
  );
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 2 });
  // Day partitions of events exist in a running installation: the check must see through them.
  await createPartitionsAhead(pool, 1);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('the data-kind registry', () => {
  it('names every table of the migrated schema that holds device or user ids, and only tables that exist', async () => {
    const columns = await schemaColumns();
    expect(columns.length).toBeGreaterThan(100); // the schema, not an empty search path
    expect(registryProblems(columns)).toEqual([]);
  });

  it('fails, naming the table, when a migration adds one holding device ids without a registry entry', async () => {
    await pool.query('CREATE TABLE session_replays (org_id uuid, app_id int, device_id text, payload bytea)');
    try {
      expect(registryProblems(await schemaColumns())).toEqual([
        expect.stringContaining('table "session_replays" holds device_id but is in no data kind'),
      ]);
    } finally {
      await pool.query('DROP TABLE session_replays');
    }
  });
});

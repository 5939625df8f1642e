// A normalised description of a PostgreSQL schema, for comparing two databases: tables,
// columns, keys, indexes, foreign keys and enums. A partitioned table and a plain one with
// the same shape compare equal; partitions themselves are left out.
import pg from 'pg';

const QUERIES = {
  tables: `SELECT c.relname AS x FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND c.relname <> '_prisma_migrations'`,
  columns: `SELECT c.table_name || '.' || c.column_name || ' ' || c.data_type || '(' || coalesce(c.character_maximum_length::text, '') ||
                   ',' || coalesce(c.datetime_precision::text, '') || ') ' || c.udt_name || ' null=' || c.is_nullable ||
                   ' default=' || coalesce(c.column_default, '') AS x
              FROM information_schema.columns c JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = 'public'::regnamespace
             WHERE c.table_schema = 'public' AND NOT t.relispartition AND c.table_name <> '_prisma_migrations'`,
  constraints: `SELECT t.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) AS x
                  FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
                 WHERE t.relnamespace = 'public'::regnamespace AND NOT t.relispartition AND t.relname <> '_prisma_migrations'`,
  indexes: `SELECT i.tablename || ' ' || i.indexname || ' ' ||
                   regexp_replace(regexp_replace(i.indexdef, ' ON (ONLY )?', ' ON '), 'USING btree ', '') AS x
              FROM pg_indexes i JOIN pg_class t ON t.relname = i.tablename AND t.relnamespace = 'public'::regnamespace
             WHERE i.schemaname = 'public' AND NOT t.relispartition AND i.tablename <> '_prisma_migrations'`,
  enums: `SELECT t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS x
            FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
           WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`,
} as const;

export type Catalog = Record<keyof typeof QUERIES, string[]>;

export async function readCatalog(connectionString: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const catalog: Partial<Catalog> = {};
    for (const [key, sql] of Object.entries(QUERIES) as Array<[keyof Catalog, string]>) {
      const { rows } = await client.query<{ x: string }>(sql);
      catalog[key] = rows.map((r) => r.x).sort();
    }
    return catalog as Catalog;
  } finally {
    await client.end();
  }
}

/** Lines present in one catalog and not the other, prefixed with - (only in a) or + (only in b). */
export function catalogDifferences(a: Catalog, b: Catalog): string[] {
  const out: string[] = [];
  for (const key of Object.keys(QUERIES) as Array<keyof Catalog>) {
    const left = new Set(a[key]);
    const right = new Set(b[key]);
    for (const line of left) if (!right.has(line)) out.push(`- ${key}: ${line}`);
    for (const line of right) if (!left.has(line)) out.push(`+ ${key}: ${line}`);
  }
  return out;
}

// npm run migration:new -- <name>     write the SQL migration that brings the migrations up to schema.prisma
// npm run migration:new -- --check    exit 1 (printing the pending SQL) when they disagree
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { diffMigrationsToSchema, hasStatements, MIGRATIONS_PATH } from './schema-engine.ts';

const { values, positionals } = parseArgs({ options: { check: { type: 'boolean' } }, allowPositionals: true });

function timestamp(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function main(): Promise<number> {
  const name = positionals[0];
  if (!values.check && (!name || !/^[A-Za-z0-9_]+$/.test(name))) {
    console.error('usage: npm run migration:new -- <name>   (letters, digits and underscores)\n       npm run migration:new -- --check');
    return 2;
  }
  const sql = await diffMigrationsToSchema();
  if (!hasStatements(sql)) {
    console.log('schema and migrations agree; nothing to do');
    return 0;
  }
  if (values.check) {
    console.error('prisma/schema.prisma and prisma/migrations disagree; pending SQL:\n');
    console.error(sql);
    return 1;
  }
  const dir = join(MIGRATIONS_PATH, `${timestamp()}_${name!.toLowerCase()}`);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'migration.sql');
  await writeFile(file, sql);
  console.log(`wrote ${relative(process.cwd(), file)}; review it (partitioned tables need hand edits), then run npx sightline migrate`);
  return 0;
}

process.exitCode = await main();

// Prisma's schema engine, compiled to WebAssembly, driven from Node without its native
// binary (which these machines cannot download). It diffs schemas offline; diffs that
// start from the migrations folder replay them on an in-memory PGlite shadow database.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import { PrismaPGlite } from 'pglite-prisma-adapter';

export const SCHEMA_PATH = new URL('../schema.prisma', import.meta.url).pathname;
export const MIGRATIONS_PATH = new URL('../migrations', import.meta.url).pathname;

type DiffTarget = Parameters<SchemaEngine['diff']>[0]['from'];

let wasmReady: Promise<void> | undefined;

// The package's own entry imports the .wasm as an ES module, which Node does not support:
// instantiate it by hand and hand the exports to the generated bindings.
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': engineBindings as unknown as WebAssembly.ModuleImports,
    });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  })();
  return wasmReady;
}

async function withEngine<T>(schemaPath: string, fn: (engine: SchemaEngine, schema: string) => Promise<T>): Promise<T> {
  await loadWasm();
  const schema = await readFile(schemaPath, 'utf8');
  const pglite = new PGlite();
  // The engine calls the adapter's methods detached from their objects; Prisma's binder
  // re-attaches them and converts errors the way the engine expects.
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite));
  const engine = await engineBindings.SchemaEngine.new({ datamodels: [[basename(schemaPath), schema]] }, () => undefined, adapter);
  try {
    return await fn(engine, schema);
  } finally {
    engine.free();
    await pglite.close();
  }
}

async function diff(engine: SchemaEngine, from: DiffTarget, to: DiffTarget): Promise<string> {
  const result = await engine.diff({ from, to, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } });
  return result.stdout ?? '';
}

function datamodelTarget(schemaPath: string, schema: string): DiffTarget {
  return { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] };
}

/** Loads the migrations folder as the engine expects it. */
export async function readMigrationList(migrationsDir: string): Promise<MigrationList> {
  const entries = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockPath = join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      entries.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/** The whole SQL script that creates the schema from nothing. */
export function diffEmptyToSchema(schemaPath = SCHEMA_PATH): Promise<string> {
  return withEngine(schemaPath, (engine, schema) => diff(engine, { tag: 'empty' }, datamodelTarget(schemaPath, schema)));
}

/**
 * SQL that brings a database holding every migration up to schema.prisma; empty when they
 * agree. The engine introspects the replayed migrations, so it sees `events` as the
 * partitioned table it is; it does not ask to recreate it for that (checked by the drift
 * test, which compares catalogs as well).
 */
export async function diffMigrationsToSchema(migrationsDir = MIGRATIONS_PATH, schemaPath = SCHEMA_PATH): Promise<string> {
  const migrations = await readMigrationList(migrationsDir);
  return withEngine(schemaPath, (engine, schema) =>
    diff(engine, { tag: 'migrations', ...migrations }, datamodelTarget(schemaPath, schema)),
  );
}

/** True when a diff script holds statements, not only the engine's comments. */
export function hasStatements(sql: string): boolean {
  return sql
    .split('\n')
    .map((line) => line.trim())
    .some((line) => line !== '' && !line.startsWith('--'));
}

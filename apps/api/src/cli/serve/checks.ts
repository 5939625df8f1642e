import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrations } from '@sightline/db/migrations';
import pg from 'pg';

export const PROCESSES = ['api', 'worker', 'web'] as const;
export type ProcessName = (typeof PROCESSES)[number];

/** What `npm run build` leaves for each process; serve runs these and never builds. */
export const BUILD_OUTPUTS: Record<ProcessName, { file: string; builtBy: string }> = {
  api: { file: 'apps/api/dist/main.mjs', builtBy: 'npm run build (or node scripts/build-services.mjs api)' },
  worker: { file: 'apps/worker/dist/main.mjs', builtBy: 'npm run build (or node scripts/build-services.mjs worker)' },
  web: { file: 'apps/web/.next/BUILD_ID', builtBy: 'npm run build (or npm run build -w @sightline/web)' },
};

/**
 * The repository root: the nearest directory above this module whose package.json declares
 * the workspaces. Found by walking up, not a fixed `../..`, so it holds if the CLI is bundled.
 */
export function repositoryRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { workspaces } = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
    if (Array.isArray(workspaces)) return dir;
  }
  throw new Error(`no Sightline checkout above ${from}`);
}

/** Build outputs the chosen processes need that are not there, each with the command that makes it. */
export function missingBuildOutputs(root: string, processes: readonly ProcessName[]): string[] {
  return processes
    .filter((name) => !existsSync(join(root, BUILD_OUTPUTS[name].file)))
    .map((name) => `${BUILD_OUTPUTS[name].file} (${name}) is missing: run \`${BUILD_OUTPUTS[name].builtBy}\``);
}

/**
 * Migrations in the repository that the database has not finished applying. A database that
 * does not exist yet, or has never been migrated, has all of them pending.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const names = (await readMigrations()).map((m) => m.name);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    // 3D000: the database does not exist; `migrate` creates it.
    if ((error as { code?: string }).code === '3D000') return names;
    throw error;
  }
  try {
    const table = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
    );
    if (!table.rows[0]?.exists) return names;
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return names.filter((name) => !applied.has(name));
  } finally {
    await client.end().catch(() => undefined);
  }
}

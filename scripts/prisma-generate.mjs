// Prisma 7's CLI insists on a schema-engine binary even for `generate`, which never uses it.
// These machines cannot download it, so point the variable at any existing file (node itself).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: 'inherit', env, shell: false });
process.exit(result.status ?? 1);

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// .dependency-cruiser.cjs, as `npm test` runs it, on a tiny repository laid out like ours:
// it must report a cycle and a core file importing BullMQ, and pass what is allowed.

const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
let dir = '';

async function write(files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
}

/** The names of the rules the check reports for `target` (a folder of the fixture). */
async function violations(target: string): Promise<string[]> {
  const bin = path.join(root, 'node_modules/.bin/depcruise');
  const args = ['--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'json', target];
  // depcruise exits non-zero when it finds violations; the report is on stdout either way.
  const { stdout } = await run(bin, args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout: string }) => error,
  );
  const report = JSON.parse(stdout) as { summary: { violations: Array<{ rule: { name: string } }> } };
  return report.summary.violations.map((v) => v.rule.name).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sightline-depcruise-'));
  // Real packages resolve from the repository's node_modules, as in the real run.
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await write({
    'packages/core/src/cycle/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
    'packages/core/src/cycle/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    'packages/core/src/types/a.ts': "import type { B } from './b.ts';\nexport const a = (x: B) => x;\n",
    'packages/core/src/types/b.ts': "import { a } from './a.ts';\nexport type B = string;\nexport const b = a;\n",
    'packages/core/src/queue/producer.ts': "import { Queue } from 'bullmq';\nexport const q = Queue;\n",
    'packages/core/src/fine/sql.ts': "import pg from 'pg';\nimport { z } from 'zod';\nexport const x = [pg, z];\n",
  });
}, 30_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dependency-cruiser check', { timeout: 120_000 }, () => {
  it('reports an import cycle', async () => {
    expect(await violations('packages/core/src/cycle')).toEqual(['no-circular']);
  });

  it('lets a cycle through an `import type` pass: it is gone at run time', async () => {
    expect(await violations('packages/core/src/types')).toEqual([]);
  });

  it('reports packages/core importing BullMQ, and passes pg and zod', async () => {
    expect(await violations('packages/core/src/queue')).toEqual(['core-no-frameworks']);
    expect(await violations('packages/core/src/fine')).toEqual([]);
  });
});

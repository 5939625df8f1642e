import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The test run itself cannot be green by accident: the repository's vitest config run on small
// fixtures (scripts/fixtures/vitest-gate) exits non-zero on a committed .skip, .todo, skipIf,
// ctx.skip() or .only, and still exits zero on a clean file and on a run narrowed with -t.

const root = fileURLToPath(new URL('..', import.meta.url));
const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

function runFixture(file: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  // CI unset: Vitest's own default (allowOnly = !CI) must not be what refuses .only.
  const env = { ...process.env };
  delete env.CI;
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;
  const child = spawn(
    process.execPath,
    [
      vitestBin,
      'run',
      '--config',
      'scripts/fixtures/vitest-gate/vitest.config.ts',
      `scripts/fixtures/vitest-gate/${file}`,
      ...args,
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

// Each case starts its own Vitest (a few seconds of start-up), so they run side by side.
describe.concurrent('the test run gate', () => {
  it('passes files whose tests all run and pass', async () => {
    const { code, output } = await runFixture('passes.fixture.ts');
    expect(output).toContain('\n2 passed, 0 failed, 0 skipped\n');
    expect(code).toBe(0);
  });

  it('fails on a skipped, a todo, a conditionally skipped and a self-skipping test, and names each', async () => {
    const { code, output } = await runFixture(
      'skip.fixture.ts',
      'scripts/fixtures/vitest-gate/todo.fixture.ts',
      'scripts/fixtures/vitest-gate/skip-if.fixture.ts',
    );
    expect(output).toContain('\n3 passed, 0 failed, 4 skipped\n');
    expect(output).toContain('The run fails: 4 test(s) skipped or todo');
    for (const name of [
      'skip.fixture.ts > is skipped',
      'todo.fixture.ts > is left as todo',
      'skip-if.fixture.ts > needs a service that is missing',
      'skip-if.fixture.ts > skips itself at run time',
    ]) {
      expect(output).toContain(`  - scripts/fixtures/vitest-gate/${name}\n`);
    }
    expect(code).toBe(1);
  });

  it('fails on a committed .only even without CI=true', async () => {
    const { code, output } = await runFixture('only.fixture.ts');
    expect(output).toContain('Unexpected .only modifier');
    expect(code).toBe(1);
  });

  it('lets a run narrowed with -t leave the other tests out', async () => {
    const { code, output } = await runFixture('passes.fixture.ts', '-t', 'adds');
    expect(output).toContain('\n1 passed, 0 failed, 1 skipped\n');
    expect(output).not.toContain('The run fails');
    expect(code).toBe(0);
  });
});

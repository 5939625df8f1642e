import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingBuildOutputs, repositoryRoot } from './checks.ts';

// What serve checks before starting anything: the build outputs of the processes it runs.
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('serve build checks', () => {
  it('names each missing build output with the command that makes it, for the chosen processes only', () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-checks-'));
    mkdirSync(join(dir, 'apps/api/dist'), { recursive: true });
    writeFileSync(join(dir, 'apps/api/dist/main.mjs'), '');
    expect(missingBuildOutputs(dir, ['api', 'worker', 'web'])).toEqual([
      'apps/worker/dist/main.mjs (worker) is missing: run `npm run build (or node scripts/build-services.mjs worker)`',
      'apps/web/.next/BUILD_ID (web) is missing: run `npm run build (or npm run build -w @sightline/web)`',
    ]);
    expect(missingBuildOutputs(dir, ['api'])).toEqual([]);
  });

  it('finds the checkout root (the package.json with workspaces) above a module', () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-root-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sightline', workspaces: ['apps/*'] }));
    mkdirSync(join(dir, 'apps/api/dist'), { recursive: true });
    writeFileSync(join(dir, 'apps/api/package.json'), JSON.stringify({ name: '@sightline/api' }));
    expect(repositoryRoot(join(dir, 'apps/api/dist/cli.mjs'))).toBe(dir);
    expect(() => repositoryRoot('/tmp/nowhere/x.mjs')).toThrow(/no Sightline checkout/);
  });
});

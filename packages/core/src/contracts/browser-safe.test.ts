import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The portal bundles @sightline/core/contracts for browsers: one node import here would break
// its build (or silently ship server code), so each file may import only zod and its siblings.
describe('@sightline/core/contracts', () => {
  const dir = import.meta.dirname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it.each(files)('%s imports only zod and other contracts files', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1] ?? '');
    const foreign = specifiers.filter((s) => s !== 'zod' && !/^\.\/[\w-]+\.ts$/.test(s));
    expect(foreign).toEqual([]);
  });
});

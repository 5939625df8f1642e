import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIGHTLINE_VERSION } from './version.ts';

describe('the Sightline version', () => {
  it('is the root package.json version', () => {
    const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    expect(root.version).toBe(SIGHTLINE_VERSION);
  });
});

import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The walls of scripts/eslint-boundaries.mjs really stop what they claim to: small snippets
// linted under the repository's own config, at paths where such code would live.

const root = path.resolve(import.meta.dirname, '..');
// Only the boundary rules are looked at, so a snippet need not be type-checkable code.
const BOUNDARY_RULES = new Set([
  '@typescript-eslint/no-restricted-imports',
  'no-restricted-imports',
  'no-restricted-properties',
  'no-restricted-syntax',
]);

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: path.join(root, 'eslint.config.mjs'),
  // The snippets are files that do not exist: parse them without the type-checker, and run
  // only the boundary rules (the type-aware ones would need a real program).
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
});

async function violations(file: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(root, file) });
  const messages = result?.messages ?? [];
  // A snippet that does not even parse would pass every assertion of "no violation".
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('boundary lint rules', { timeout: 60_000 }, () => {
  it('stop packages/core from importing BullMQ or a web framework', async () => {
    expect(
      await violations('packages/core/src/alerts/new-file.ts', "import { Queue } from 'bullmq';\nexport { Queue };\n"),
    ).toEqual([expect.stringContaining('packages/core never imports')]);
    expect(
      await violations('packages/core/src/x.ts', "import Fastify from 'fastify';\nexport { Fastify };\n"),
    ).toHaveLength(1);
    expect(
      await violations('packages/core/src/x.ts', "import { z } from 'zod';\nimport pg from 'pg';\nexport { z, pg };\n"),
    ).toEqual([]);
  });

  it('keep the contracts entry browser-safe', async () => {
    const file = 'packages/core/src/contracts/new-file.ts';
    expect(await violations(file, "import { createHash } from 'node:crypto';\nexport { createHash };\n")).toHaveLength(
      1,
    );
    expect(
      await violations(file, "import { z } from 'zod';\nimport { ROLES } from './roles.ts';\nexport { z, ROLES };\n"),
    ).toEqual([]);
  });

  it('let the portal import only the contracts from core, secrets only on the server', async () => {
    const page = 'apps/web/src/app/new-page.tsx';
    expect(await violations(page, "import { x } from '@sightline/core';\nexport { x };\n")).toEqual([
      expect.stringContaining('only @sightline/core/contracts'),
    ]);
    expect(await violations(page, "import { x } from '@sightline/core/secrets';\nexport { x };\n")).toHaveLength(1);
    expect(await violations(page, "import { x } from '@sightline/core/contracts';\nexport { x };\n")).toEqual([]);
    expect(
      await violations(
        'apps/web/src/server/new-file.ts',
        "import { x } from '@sightline/core/secrets';\nexport { x };\n",
      ),
    ).toEqual([]);
  });

  it('let the portal know the api by its router types only', async () => {
    const file = 'apps/web/src/lib/new-file.ts';
    expect(
      await violations(file, "import type { AppRouter } from '@sightline/api/trpc';\nexport type { AppRouter };\n"),
    ).toEqual([]);
    expect(
      await violations(file, "import { appRouter } from '@sightline/api/trpc';\nexport { appRouter };\n"),
    ).toHaveLength(1);
    expect(await violations(file, "import { x } from '@sightline/db';\nexport { x };\n")).toHaveLength(1);
  });

  it('stop apps importing apps, packages importing apps, and reaching into src/', async () => {
    expect(
      await violations('apps/worker/src/new-file.ts', "import { x } from '@sightline/api';\nexport { x };\n"),
    ).toHaveLength(1);
    expect(
      await violations('apps/api/src/new-file.ts', "import { x } from '@sightline/worker';\nexport { x };\n"),
    ).toHaveLength(1);
    expect(
      await violations('packages/db/src/new-file.ts', "import { x } from '@sightline/core';\nexport { x };\n"),
    ).toHaveLength(1);
    expect(
      await violations('packages/sdk/src/new-file.ts', "import { x } from '@sightline/api';\nexport { x };\n"),
    ).toHaveLength(1);
    expect(
      await violations(
        'apps/api/src/new-file.ts',
        "import { x } from '@sightline/core/src/config/env.ts';\nexport { x };\n",
      ),
    ).toHaveLength(1);
    expect(
      await violations('apps/api/src/new-file.ts', "import { x } from '@sightline/core';\nexport { x };\n"),
    ).toEqual([]);
  });

  it('refuse process.env outside env modules, tests and scripts', async () => {
    const read = 'export const url = process.env.API_URL;\n';
    expect(await violations('apps/web/src/app/new-file.ts', read)).toEqual([expect.stringContaining('env module')]);
    expect(
      await violations('packages/core/src/new-file.ts', 'const { env } = process;\nexport { env };\n'),
    ).toHaveLength(1);
    expect(
      await violations('apps/api/src/new-file.ts', "import { env } from 'node:process';\nexport { env };\n"),
    ).toHaveLength(1);
    expect(await violations('apps/api/src/env.ts', read)).toEqual([]);
    expect(await violations('apps/api/src/new-file.test.ts', read)).toEqual([]);
    expect(await violations('scripts/new-script.mjs', read)).toEqual([]);
  });
});

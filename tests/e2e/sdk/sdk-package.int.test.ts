import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SIGHTLINE_VERSION } from '@sightline/core/version';
import { until } from '@sightline/core/testing';
import { buildPackage } from '@sightline/sdk/build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// The SDK as npm would ship it (`npm run build -w @sightline/sdk` → dist/package): plain
// ES modules that run in Node without TypeScript tooling, declarations a TypeScript app
// type-checks against, and a tarball holding both and the <script> files.

const run = promisify(execFile);
const ROOT_MODULES = fileURLToPath(new URL('../../../node_modules/', import.meta.url));

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let endpoint: string;
let work: string;
let pkg: string;
let consumer: string;

/** `node_modules/<name>` of the consumer → `target`. */
async function link(name: string, target: string): Promise<void> {
  const at = join(consumer, 'node_modules', name);
  await mkdir(dirname(at), { recursive: true });
  await symlink(target, at, 'dir');
}

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-package');
  endpoint = await stack.listen();
  work = await mkdtemp(join(tmpdir(), 'sightline-sdk-'));
  pkg = join(work, 'package');
  consumer = join(work, 'consumer');
  await buildPackage(pkg);
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  await link('@sightline/sdk', pkg);
  for (const name of ['@types/node', '@types/react', 'react', 'next', 'web-vitals', 'typescript']) {
    await link(name, join(ROOT_MODULES, name));
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the published @sightline/sdk', () => {
  it('runs in plain Node.js from its ES modules and delivers events and crash reports', async () => {
    await writeFile(
      join(consumer, 'app.mjs'),
      `import { init } from '@sightline/sdk/node';
const sightline = init({ key: process.env.KEY, endpoint: process.env.ENDPOINT, appVersion: '9.1.0', captureUncaught: false });
sightline.track('feature_used', { feature_name: 'installed-from-npm' });
sightline.captureError(new SyntaxError('config.json is not valid JSON'));
await sightline.shutdown();
`,
    );
    await run(process.execPath, ['app.mjs'], {
      cwd: consumer,
      env: { ...process.env, KEY: stack.app.ingestKey, ENDPOINT: endpoint },
    });
    const where = { appId: stack.app.app.id };
    await until(async () =>
      (await stack.deps.prisma.event.count({ where: { ...where, name: 'installed-from-npm' } })) === 1
        ? true
        : undefined,
    );
    const crash = await until(() => stack.deps.prisma.crashReport.findFirst({ where }).then((r) => r ?? undefined));
    expect(crash).toMatchObject({ crashType: 'SyntaxError', appVersion: '9.1.0' });
  });

  it('gives a TypeScript app its types for every entry point, and they catch mistakes', async () => {
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['good.ts', 'bad.ts'],
      }),
    );
    await writeFile(
      join(consumer, 'good.ts'),
      `import { SightlineClient } from '@sightline/sdk';
import { init as browser } from '@sightline/sdk/browser';
import { captureWebVitals } from '@sightline/sdk/browser/vitals';
import { init, requestHandler } from '@sightline/sdk/node';
import { SightlineAnalytics, useSightlineError } from '@sightline/sdk/next';
import { registerSightline, sightlineRequestError } from '@sightline/sdk/next/server';
const client: SightlineClient = init({ key: 'pk_x', endpoint: 'http://localhost:4000', batchSize: 20 });
client.timing('checkout', 120);
export const all = [browser, captureWebVitals, requestHandler(client), SightlineAnalytics, useSightlineError, registerSightline, sightlineRequestError];
`,
    );
    await writeFile(
      join(consumer, 'bad.ts'),
      `import { init } from '@sightline/sdk/node';
init({ key: 'pk_x', endpoint: 'http://localhost:4000', batchSize: 'fifty' });
`,
    );
    const tsc = join(consumer, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', '.'], { cwd: consumer }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    const errors = result.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors).toHaveLength(1);
    // The one mistake, found where it is: batchSize is a number.
    const column = "init({ key: 'pk_x', endpoint: 'http://localhost:4000', ".length + 1;
    expect(errors[0]).toBe(`bad.ts(2,${column}): error TS2322: Type 'string' is not assignable to type 'number'.`);
  });

  it('packs the modules, the declarations and the <script> files', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: pkg });
    const [packed] = JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path);
    expect(packed!.name).toBe('@sightline/sdk');
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'sightline.js',
        'sightline.vitals.js',
        'esm/node/index.js',
        'esm/next/index.js',
        'types/node/index.d.ts',
        'types/next/index.d.ts',
      ]),
    );
    // Nothing of the workspace: no TypeScript sources, tests, benchmarks or build scripts.
    expect(files.filter((f) => /(?<!\.d)\.ts$|\.test\.|^src\/|^bench\/|^scripts\//.test(f))).toEqual([]);
    // The Next.js browser entry is a client module for React Server Components.
    expect(await readFile(join(pkg, 'esm/next/index.js'), 'utf8')).toMatch(/^["']use client["']/);
    const manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      version: SIGHTLINE_VERSION,
      license: 'MIT',
      publishConfig: { access: 'public' },
      exports: { './node': { types: './types/node/index.d.ts', default: './esm/node/index.js' } },
    });
    expect(manifest.private).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    expect(await readFile(join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('installs from its tarball with npm (offline) and runs from there', async () => {
    const tarballs = join(work, 'tarballs');
    const app = join(work, 'installed');
    await mkdir(tarballs);
    await mkdir(app);
    const pack = async (dir: string) => {
      const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs, dir]);
      return join(tarballs, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
    };
    // Its one dependency comes from this checkout's node_modules, so no registry is needed.
    const sdk = await pack(pkg);
    const vitals = await pack(join(ROOT_MODULES, 'web-vitals'));
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'installed', type: 'module', private: true }));
    await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', vitals, sdk], {
      cwd: app,
    });
    await writeFile(
      join(app, 'app.mjs'),
      `import { init } from '@sightline/sdk/node';
const sightline = init({ key: process.env.KEY, endpoint: process.env.ENDPOINT, captureUncaught: false });
sightline.track('feature_used', { feature_name: 'installed-from-tarball' });
await sightline.shutdown();
`,
    );
    await run(process.execPath, ['app.mjs'], {
      cwd: app,
      env: { ...process.env, KEY: stack.app.ingestKey, ENDPOINT: endpoint },
    });
    await until(async () =>
      (await stack.deps.prisma.event.count({ where: { appId: stack.app.app.id, name: 'installed-from-tarball' } })) ===
      1
        ? true
        : undefined,
    );
    const installed = JSON.parse(await readFile(join(app, 'node_modules/@sightline/sdk/package.json'), 'utf8')) as {
      version: string;
    };
    expect(installed.version).toBe(SIGHTLINE_VERSION);
  }, 120_000);
});

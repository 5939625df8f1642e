import { execFile } from 'node:child_process';
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

// Builds the SDK: the <script> files (IIFE, minified) with and without Web Vitals, with
// their min+gzip sizes (the budgets are checked in size.test.ts); and the npm package —
// ES modules per entry point sharing chunks, type declarations, the script files, a
// package.json whose exports name the built files — ready for `npm publish`.

// No command-line entry here (that is build-main.ts): the api bundles this module, and a
// `process.argv[1] === import.meta.url` check would then run the build inside the api.
const root = fileURLToPath(new URL('..', import.meta.url));

/** The two <script> builds, as the api serves them (`/sdk/v1/<file>`) and the package ships them. */
export const SCRIPT_FILES = ['sightline.js', 'sightline.vitals.js'] as const;

// esbuild is a build-time tool: loaded when a build runs, so a process that only imports this
// module (the api, bundled with it) starts without it installed.
const esbuild = () => import('esbuild');

export interface Built {
  file: string;
  bytes: number;
  gzip: number;
  code: string;
}

/**
 * The <script> builds, in memory (or written to `<sdk>/dist/` with `write`). `sdkRoot` is the
 * package's directory with a trailing slash: the api, which bundles this file, passes it.
 */
export async function buildScripts(write = false, sdkRoot = root): Promise<Built[]> {
  const { build } = await esbuild();
  const out: Built[] = [];
  for (const vitals of [false, true]) {
    const file = vitals ? SCRIPT_FILES[1] : SCRIPT_FILES[0];
    const result = await build({
      entryPoints: [`${sdkRoot}src/browser/script.ts`],
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2022'],
      define: { WITH_VITALS: String(vitals) },
      write,
      outfile: `${sdkRoot}dist/${file}`,
      legalComments: 'none',
      // Failures are thrown with their messages; the api logs them as JSON, not on stderr.
      logLevel: 'silent',
    });
    const code = write ? await readFile(`${sdkRoot}dist/${file}`, 'utf8') : result.outputFiles![0]!.text;
    const bytes = Buffer.byteLength(code);
    out.push({ file, bytes, gzip: gzipSync(code, { level: 9 }).length, code });
  }
  return out;
}

/** The package's entry points: export path → source (the workspace's own exports, built). */
const ENTRIES: Record<string, string> = {
  '.': 'index',
  './browser': 'browser/index',
  './browser/vitals': 'browser/vitals',
  './node': 'node/index',
  './next': 'next/index',
  './next/server': 'next/server',
};

/** Builds the publishable package into `outDir` (replaced); returns the script builds' sizes. */
export async function buildPackage(outDir: string): Promise<Built[]> {
  await rm(outDir, { recursive: true, force: true });
  const { build } = await esbuild();
  await build({
    entryPoints: Object.values(ENTRIES).map((e) => ({ in: `${root}src/${e}.ts`, out: e })),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: ['es2022'],
    outdir: join(outDir, 'esm'),
    chunkNames: 'chunks/[name]-[hash]',
    external: ['web-vitals', 'next', 'next/*', 'react', 'node:*'],
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'error',
  });
  // `'use client'` must open the Next.js entry for React Server Components to treat it as one.
  const next = join(outDir, 'esm/next/index.js');
  const code = await readFile(next, 'utf8');
  if (!code.startsWith("'use client'") && !code.startsWith('"use client"'))
    await writeFile(next, `'use client';\n${code}`);

  await promisify(execFile)(process.execPath, [
    tscBin,
    '-p',
    `${root}tsconfig.build.json`,
    '--outDir',
    join(outDir, 'types'),
  ]);
  // Declarations keep the sources' `.ts` specifiers; published ones name the `.js` files.
  for (const file of await readdir(join(outDir, 'types'), { recursive: true })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = join(outDir, 'types', file);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
  }

  const scripts = await buildScripts();
  for (const b of scripts) await writeFile(join(outDir, b.file), b.code);
  const source = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as Record<string, unknown>;
  // The workspace's own fields (name, version, license, description, …), with exports naming
  // the built files instead of the TypeScript sources, and none of its scripts. Not its
  // `engines`: that is the Node version Sightline's own processes run on, not what apps
  // using the SDK need.
  const manifest = {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    keywords: source.keywords,
    type: 'module',
    sideEffects: false,
    exports: {
      ...Object.fromEntries(
        Object.entries(ENTRIES).map(([path, entry]) => [
          path,
          { types: `./types/${entry}.d.ts`, default: `./esm/${entry}.js` },
        ]),
      ),
      './package.json': './package.json',
    },
    types: './types/index.d.ts',
    // CDNs that serve npm packages (unpkg, jsDelivr) answer the bare package URL with the <script> build.
    unpkg: './sightline.js',
    jsdelivr: './sightline.js',
    files: ['esm', 'types', 'sightline.js', 'sightline.vitals.js', 'README.md', 'LICENSE'],
    dependencies: source.dependencies,
    peerDependencies: source.peerDependencies,
    peerDependenciesMeta: source.peerDependenciesMeta,
    publishConfig: source.publishConfig,
  };
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(`${root}README.md`, join(outDir, 'README.md'));
  await copyFile(`${root}LICENSE`, join(outDir, 'LICENSE'));
  return scripts;
}

const tscBin = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));

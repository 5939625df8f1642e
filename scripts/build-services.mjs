#!/usr/bin/env node
// Bundles the api and the worker into one plain-JavaScript file each (apps/<name>/dist/
// main.mjs) with esbuild: our workspace packages are compiled in, npm packages stay
// external. Running that file needs no TypeScript loader in the process, which saves about
// 35 MB per process and the loader's start-up time. `npm start` and the benchmark run it.
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Workspace packages (TypeScript sources) are bundled; everything from npm stays a runtime import. */
const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@sightline/') ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * The browser SDK's <script> files (packages/sdk/dist/sightline*.js), which the api serves at
 * /sdk/…: built with the api, so it reads them at start instead of building them itself.
 * Node runs the TypeScript build script as it is (type stripping).
 */
export async function buildSdkScripts() {
  const { buildScripts } = await import(join(root, 'packages/sdk/scripts/build.ts'));
  await mkdir(join(root, 'packages/sdk/dist'), { recursive: true });
  await buildScripts(true);
}

export async function buildServices(names = ['api', 'worker']) {
  if (names.includes('api')) await buildSdkScripts();
  await Promise.all(
    names.map((name) =>
      build({
        entryPoints: [join(root, 'apps', name, 'src/main.ts')],
        outfile: join(root, 'apps', name, 'dist/main.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        sourcemap: 'linked',
        logLevel: 'warning',
        plugins: [externalNpmPackages],
        // Bundled code that calls require() (CommonJS interop in our own sources) gets one.
        banner: {
          js: "import { createRequire as __sightlineRequire } from 'node:module'; const require = __sightlineRequire(import.meta.url);",
        },
      }),
    ),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildServices(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
}

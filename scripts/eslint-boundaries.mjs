import tseslint from 'typescript-eslint';

// The boundaries of docs/ARCHITECTURE.md as ESLint rules, so `npm test` fails on a forbidden
// import or on process.env read outside an env module (issue 19). dependency-cruiser
// (.dependency-cruiser.cjs) checks the same walls on the resolved import graph, plus cycles;
// scripts/boundaries.test.ts proves these rules bite.
//
// ESLint replaces a rule's options when a later config block sets it again, it does not merge
// them: every block below therefore lists the walls every file shares (`everywhere`) next to its own.

// Only the extensions the rest of the config lints: naming another here would start linting it.
const SOURCE = ['**/*.{ts,tsx}'];
const SCRIPT = ['**/*.{mjs,js}'];

const apps = (...names) => names.flatMap((n) => [`@sightline/${n}`, `@sightline/${n}/*`]);

/** Walls for every file in the repository. */
const everywhere = [
  {
    group: ['@sightline/*/src', '@sightline/*/src/*'],
    message: 'Import a package by its entry points (its package.json exports), not its src/ files.',
  },
];
/** Workspaces know each other by package name; scripts/ is no workspace and has only paths. */
const notByPath = {
  regex: '^(\\.\\./)+(apps|packages)/',
  message: 'Import another workspace by its package name, not by a relative path into it.',
};
const noApps = {
  group: apps('api', 'worker', 'web'),
  message: 'Packages never import an app: apps depend on packages.',
};

const FRAMEWORKS = [
  'fastify',
  '@fastify/*',
  // A framework-free address matcher (config/trust-proxy.ts), whatever its scope says.
  '!@fastify/proxy-addr',
  '@trpc/*',
  'graphql-yoga',
  'graphql',
  'next',
  'next/*',
  'bullmq',
  'react',
  'react/*',
];

/** One rule entry; the TypeScript variant understands `import type` (allowTypeImports). */
const restrict = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...everywhere, ...patterns] }],
});
const restrictScript = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: [...everywhere, ...patterns] }],
});

const WEB_SERVER_ONLY = [
  'apps/web/src/server/**',
  'apps/web/src/auth.ts',
  'apps/web/src/proxy.ts',
  'apps/web/src/**/route.ts',
];
const webCore = (allowSecrets) => ({
  // A regular expression, not a group: a gitignore-style negation cannot re-include a path
  // below an excluded one.
  regex: allowSecrets ? '^@sightline/core(?!/(contracts|secrets|trust-proxy)$)(/.*)?$' : '^@sightline/core(?!/contracts$)(/.*)?$',
  message: allowSecrets
    ? 'The portal imports from core only @sightline/core/contracts (and, in server-only code, @sightline/core/secrets and @sightline/core/trust-proxy: the same secret derivations and client-address rule as the api).'
    : 'The portal imports from core only @sightline/core/contracts (browser-safe); @sightline/core/secrets only in server-only code (src/server, auth.ts, proxy.ts, route handlers).',
});
const webOthers = [
  {
    regex: '^@sightline/api(?!/trpc$)(/.*)?$',
    message: 'The portal knows the api only through the router types: import type from @sightline/api/trpc.',
  },
  {
    group: ['@sightline/api/trpc'],
    allowTypeImports: true,
    message: 'Only `import type` from @sightline/api/trpc: the api never ships to the browser.',
  },
  {
    group: apps('worker').concat('@sightline/db', '@sightline/db/*', '@sightline/jobs', '@sightline/jobs/*'),
    message: 'The portal talks to the api over HTTP; it never imports the worker, db or jobs.',
  },
];

/**
 * Where process.env may be read. Configuration is parsed and validated once, in env modules;
 * everything else receives it as typed values, so a missing variable fails at start-up, not
 * at the first request that needs it. The other entries are code that is not shipped as a
 * service: tests and their helpers, scripts, benchmarks, config files at a package root, the
 * process entry points that pick a port, and the SDK's Next.js server hook, which runs inside
 * the customer's app and must ask that app's Next.js which runtime it is in.
 */
export const PROCESS_ENV_ALLOWED = [
  '**/env.ts',
  '**/env.mjs',
  '**/*.test.ts',
  '**/*.test.tsx',
  '**/testing.ts',
  '**/*.testing.ts',
  '**/testing/**',
  'scripts/**',
  'tests/**',
  'prisma/tools/**',
  '**/bench/**',
  '*.config.{ts,mjs,cjs,js}',
  '{apps,packages}/*/*.config.{ts,mjs,cjs,js}',
  '{apps,packages}/*/bin/*.mjs',
  'apps/web/next-server.mjs',
  'packages/sdk/scripts/**',
  'packages/sdk/src/next/server.ts',
];

const ENV_MESSAGE =
  'Read configuration in an env module (env.ts) and pass it on; see PROCESS_ENV_ALLOWED in scripts/eslint-boundaries.mjs.';

export const boundaryConfigs = [
  {
    // These rules make every TypeScript file lintable (tests/e2e included), so it needs the
    // TypeScript parser even where no type-aware block applies.
    files: SOURCE,
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser },
    // TypeScript itself reports undefined names (and knows Node's globals from @types/node).
    rules: { ...restrict(notByPath), 'no-undef': 'off' },
  },
  { files: SCRIPT, rules: restrictScript(notByPath) },
  { files: ['scripts/**/*.ts'], rules: restrict() },
  { files: ['scripts/**/*.{mjs,js}'], rules: restrictScript() },
  { files: ['packages/**/*.{ts,tsx}'], rules: restrict(notByPath, noApps) },
  { files: ['packages/**/*.{mjs,js}'], rules: restrictScript(notByPath, noApps) },
  {
    // Core is the domain: any runtime may host it, so it never imports a web or queue framework.
    files: ['packages/core/**/*.{ts,tsx}'],
    rules: restrict(notByPath, noApps, {
      group: [...FRAMEWORKS, '@sightline/jobs', '@sightline/jobs/*', '@sightline/demo', '@sightline/demo/*'],
      message:
        'packages/core never imports a web or queue framework (or the packages built on core); producers live in @sightline/jobs.',
    }),
  },
  {
    // The contracts entry is bundled into the browser: zod and its own files, nothing else.
    files: ['packages/core/src/contracts/**/*.{ts,tsx}'],
    // Its tests run in Node and may read files (the browser-safe check itself does).
    ignores: ['**/*.test.ts'],
    rules: restrict(notByPath, noApps, {
      regex: '^(?!zod(/|$)|\\.{1,2}/)',
      message: '@sightline/core/contracts is browser-safe: it imports only zod and other contracts files.',
    }),
  },
  {
    files: ['packages/db/**/*.{ts,tsx}'],
    rules: restrict(notByPath, noApps, {
      group: ['@sightline/core', '@sightline/core/*', '@sightline/jobs', '@sightline/jobs/*'],
      message: 'packages/db is below core: it never imports it.',
    }),
  },
  {
    files: ['apps/api/**/*.{ts,tsx}'],
    rules: restrict(notByPath, {
      group: apps('worker', 'web'),
      message: 'Apps never import apps; cross-app tests live in tests/e2e.',
    }),
  },
  {
    files: ['apps/worker/**/*.{ts,tsx}'],
    rules: restrict(notByPath, {
      group: apps('api', 'web'),
      message: 'Apps never import apps; cross-app tests live in tests/e2e.',
    }),
  },
  { files: ['apps/web/src/**/*.{ts,tsx}'], rules: restrict(notByPath, webCore(false), ...webOthers) },
  { files: WEB_SERVER_ONLY, rules: restrict(notByPath, webCore(true), ...webOthers) },
  {
    files: [...SOURCE, ...SCRIPT],
    ignores: PROCESS_ENV_ALLOWED,
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }],
      'no-restricted-syntax': [
        'error',
        // `import { env } from 'node:process'` is the same read (no-restricted-properties sees destructuring).
        {
          selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message: ENV_MESSAGE,
        },
      ],
    },
  },
];

// The second wall (issue 19): dependency-cruiser checks the resolved import graph, where
// ESLint (scripts/eslint-boundaries.mjs) sees only what each import statement says. It finds
// cycles, which no per-file rule can, and repeats the room boundaries of docs/ARCHITECTURE.md
// on real paths, so an import that reaches a forbidden room by a relative path or a re-export
// is caught too. Run by `npm test` (`npm run check:deps`, scripts/check-deps.mjs); scripts/dependency-cruiser.test.ts
// proves it catches a cycle.

const FRAMEWORKS = '(fastify|@fastify|@trpc|graphql-yoga|graphql|next|bullmq|react)';

/** One forbidden dependency, all errors: a warning nobody reads is no wall. */
const forbid = (name, from, to, comment) => ({ name, severity: 'error', ...(comment ? { comment } : {}), from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // Cycles through `import type` only vanish at compile time; they do not make load order matter.
    forbid(
      'no-circular',
      {},
      { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
      'A cycle makes load order matter and blocks splitting a room: break it by moving the shared piece down.',
    ),
    forbid(
      'no-app-to-app',
      { path: '^apps/(api|worker)/' },
      { path: '^apps/', pathNot: '^apps/$1/' },
      'Apps never import apps (not even in tests): cross-app tests live in tests/e2e.',
    ),
    forbid(
      'web-knows-api-types-only',
      { path: '^apps/web/' },
      { path: '^apps/api/', dependencyTypesNot: ['type-only'] },
      'The portal imports only the router types of the api (import type from @sightline/api/trpc).',
    ),
    forbid('web-not-to-worker', { path: '^apps/web/' }, { path: '^apps/worker/' }),
    forbid(
      'web-core-contracts-only',
      { path: '^apps/web/' },
      { path: '^packages/core/', pathNot: '^packages/core/src/(contracts/|secrets/|config/trust-proxy\\.ts$)' },
      'The portal imports from core only the browser-safe contracts and (server-side) the secrets entry.',
    ),
    forbid('web-not-to-db-or-jobs', { path: '^apps/web/' }, { path: '^packages/(db|jobs)/' }),
    forbid(
      'no-package-to-app',
      { path: '^packages/' },
      { path: '^apps/' },
      'Packages sit below the apps; an app is never a dependency.',
    ),
    // @fastify/proxy-addr is a framework-free address matcher (config/trust-proxy.ts), not Fastify.
    forbid(
      'core-no-frameworks',
      { path: '^packages/core/' },
      { path: `node_modules/${FRAMEWORKS}/`, pathNot: 'node_modules/@fastify/proxy-addr/' },
      'packages/core is the domain: no web, api or queue framework (producers live in @sightline/jobs).',
    ),
    forbid('core-not-to-packages-above-it', { path: '^packages/core/' }, { path: '^packages/(jobs|demo)/' }),
    forbid(
      'contracts-browser-safe',
      // Its tests run in Node and may read files (the browser-safe check itself does).
      { path: '^packages/core/src/contracts/', pathNot: '\\.test\\.ts$' },
      { pathNot: ['^packages/core/src/contracts/', 'node_modules/zod/'] },
      '@sightline/core/contracts reaches the browser: zod and other contracts files only.',
    ),
    forbid('db-below-core', { path: '^packages/db/' }, { path: '^packages/(core|jobs|demo)/' }),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build output and generated code are not ours to check. node_modules is not excluded, only
    // not followed: an excluded module vanishes as a dependency too, and core → bullmq must show.
    exclude: { path: ['(^|/)(\\.next|\\.next-e2e|generated|\\.data)/', '^(apps|packages)/[^/]+/dist/'] },
    // Type-only imports are part of the graph (web → api is allowed only as one).
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.mts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

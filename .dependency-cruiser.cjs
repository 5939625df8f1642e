// The second wall (issue 19): dependency-cruiser checks the resolved import graph, where
// ESLint (scripts/eslint-boundaries.mjs) sees only what each import statement says. It finds
// cycles, which no per-file rule can, and repeats the room boundaries of docs/ARCHITECTURE.md
// on real paths, so an import that reaches a forbidden room by a relative path or a re-export
// is caught too. Run by `npm test` (`npm run check:deps`); scripts/dependency-cruiser.test.ts
// proves it catches a cycle.

const FRAMEWORKS = '(fastify|@fastify|@trpc|graphql-yoga|graphql|next|bullmq|react)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and blocks splitting a room: break it by moving the shared piece down.',
      from: {},
      // Cycles through `import type` only vanish at compile time; they do not make load order matter.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'Apps never import apps (not even in tests): cross-app tests live in tests/e2e.',
      from: { path: '^apps/(api|worker)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'web-knows-api-types-only',
      severity: 'error',
      comment: 'The portal imports only the router types of the api (import type from @sightline/api/trpc).',
      from: { path: '^apps/web/' },
      to: { path: '^apps/api/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-not-to-worker',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^apps/worker/' },
    },
    {
      name: 'web-core-contracts-only',
      severity: 'error',
      comment: 'The portal imports from core only the browser-safe contracts and (server-side) the secrets entry.',
      from: { path: '^apps/web/' },
      to: { path: '^packages/core/', pathNot: '^packages/core/src/(contracts|secrets)/' },
    },
    {
      name: 'web-not-to-db-or-jobs',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^packages/(db|jobs)/' },
    },
    {
      name: 'no-package-to-app',
      severity: 'error',
      comment: 'Packages sit below the apps; an app is never a dependency.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'core-no-frameworks',
      severity: 'error',
      comment: 'packages/core is the domain: no web, api or queue framework (producers live in @sightline/jobs).',
      from: { path: '^packages/core/' },
      // @fastify/proxy-addr is a framework-free address matcher (config/trust-proxy.ts), not Fastify.
      to: { path: `node_modules/${FRAMEWORKS}/`, pathNot: 'node_modules/@fastify/proxy-addr/' },
    },
    {
      name: 'core-not-to-packages-above-it',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: '^packages/(jobs|demo)/' },
    },
    {
      name: 'contracts-browser-safe',
      severity: 'error',
      comment: '@sightline/core/contracts reaches the browser: zod and other contracts files only.',
      from: { path: '^packages/core/src/contracts/' },
      to: { pathNot: ['^packages/core/src/contracts/', 'node_modules/zod/'] },
    },
    {
      name: 'db-below-core',
      severity: 'error',
      from: { path: '^packages/db/' },
      to: { path: '^packages/(core|jobs|demo)/' },
    },
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

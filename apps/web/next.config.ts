import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const monorepoRoot = fileURLToPath(new URL('../..', import.meta.url));

const config: NextConfig = {
  // The workspace root holds the lockfile; tell Next so it traces and watches from there.
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  poweredByHeader: false,
  // The SDK ships TypeScript sources inside this repository (self-monitoring); so does core,
  // whose browser-safe contracts (roles, kinds, statuses) the portal's pages import, and whose
  // TRUST_PROXY rule and secret derivations its server shares with the api.
  transpilePackages: ['@sightline/sdk', '@sightline/core'],
  // The browser test builds into its own directory so it never races `npm start`'s build.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
};

export default config;

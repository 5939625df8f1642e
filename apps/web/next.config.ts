import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const monorepoRoot = fileURLToPath(new URL('../..', import.meta.url));

const config: NextConfig = {
  // The workspace root holds the lockfile; tell Next so it traces and watches from there.
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  poweredByHeader: false,
  // The SDK ships TypeScript sources inside this repository (self-monitoring); so does core,
  // whose TRUST_PROXY rule the portal shares with the api (@sightline/core/trust-proxy).
  transpilePackages: ['@sightline/sdk', '@sightline/core'],
  // The browser test builds into its own directory so it never races `npm start`'s build.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
};

export default config;

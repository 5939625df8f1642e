import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// A small Next.js app that uses @sightline/sdk/next as an app would (sdk-next-browser test).
const monorepoRoot = fileURLToPath(new URL('../../../../..', import.meta.url));

const config: NextConfig = {
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  transpilePackages: ['@sightline/sdk'],
  // Type-checked with the repo's tools (npm run typecheck:tools), not again in every build.
  typescript: { ignoreBuildErrors: true },
};

export default config;

import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const monorepoRoot = fileURLToPath(new URL('../..', import.meta.url));

const config: NextConfig = {
  // The workspace root holds the lockfile; tell Next so it traces and watches from there.
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  poweredByHeader: false,
};

export default config;

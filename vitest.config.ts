import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages,prisma,scripts,tests}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/.next/**', '**/dist/**'],
    // The summary reporter also fails the run on any skipped or todo test.
    reporters: ['default', './scripts/vitest-summary.ts'],
    // A committed `.only` fails the run everywhere, not only where CI=true is exported.
    allowOnly: false,
    globalSetup: ['packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests each make their own database; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});

import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { ensureTemplateDatabase } from './databases.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One id per `vitest run`: lets test files share work done once per run (the portal build). */
    testRunId: string;
  }
}

// Build the migrated template once, before test files race to copy it.
export default async function setup(project: TestProject): Promise<void> {
  await ensureTemplateDatabase();
  project.provide('testRunId', randomUUID());
}

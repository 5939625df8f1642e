import { ensureTemplateDatabase } from './databases.ts';

// Build the migrated template once, before test files race to copy it.
export default async function setup(): Promise<void> {
  await ensureTemplateDatabase();
}

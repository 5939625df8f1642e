import { defineConfig } from 'prisma/config';

// The schema and migrations live at the repository root (ARCHITECTURE.md); the CLI runs from here.
export default defineConfig({
  schema: '../../prisma/schema.prisma',
  migrations: { path: '../../prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/sightline' },
});

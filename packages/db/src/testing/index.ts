export {
  assertTestDatabaseName,
  createEmptyTestDatabase,
  createTestDatabase,
  dropTestDatabase,
  ensureTemplateDatabase,
  serverUrl,
  type TestDatabase,
} from './databases.ts';

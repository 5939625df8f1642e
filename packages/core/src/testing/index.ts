export { createTestApiKey, createTestApp, createTestOrg } from './factories.ts';

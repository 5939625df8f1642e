export { createTestApiKey, createTestApp, createTestOrg } from './factories.ts';
export { testCrashRecord } from './crash-record.ts';
export { CHROMIUM } from './chromium.ts';
export { freePort } from './ports.ts';

export * from './schemas.ts';
export * from './pipeline.ts';
export { clientTraits, countryOf, parseUserAgent, truncateIp, type ClientTraits } from './enrich.ts';
export { FILTERED, scrubField, scrubString, scrubValue } from './scrub.ts';
export * from './buffer.ts';
export { createAppDirectory, type AppDirectory, type AppDirectoryOptions, type IngestTarget } from './directory.ts';
export { flushUsageCounters } from './usage.ts';
export { buildCrashRecord, type CrashRecord } from './crash.ts';
export * from './sentry.ts';

export * from './schemas.ts';
export type { IngestApp, RequestFacts } from './request.ts';
export * from './steps/index.ts';
export * from './pipelines/index.ts';
export * from './codec/events.ts';
export * from './codec/crashes.ts';
export { clientTraits, countryOf, parseUserAgent, truncateIp, type ClientTraits } from './enrich.ts';
export { FILTERED, scrubField, scrubString, scrubValue } from './scrub.ts';
export * from './buffer.ts';
export { createAppDirectory, type AppDirectory, type AppDirectoryOptions, type IngestTarget } from './directory.ts';
export { flushUsageCounters } from './usage.ts';
export { buildCrashRecord, isHandled, type CrashRecord } from './crash.ts';
export {
  capCrashParts,
  MAX_BREADCRUMB_BYTES,
  MAX_BREADCRUMBS,
  MAX_CRASH_CONTEXT_BYTES,
  TRUNCATED_SUFFIX,
} from './crash-limits.ts';
export * from './sentry/index.ts';
export { sentryAddressDeviceId, sentryUserDeviceId } from './derived-identity.ts';
export { encodeForBuffer, encodeStorable, wellFormedJson } from './sanitize.ts';
export * from './dead-letters.ts';

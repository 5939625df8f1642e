// One pipeline per ingestion endpoint; the api's routes read the request, call one, and shape the reply.
export type { IngestDeps, IngestRequest } from './context.ts';
export type { IngestMetrics } from './metrics.ts';
export { droppedTotal, normalizeEvents, runEventsPipeline, type EventsReply, type NormalizedBatch } from './events.ts';
export { runCrashPipeline } from './crash.ts';
export { runSentryPipeline, sentryRateLimits, type SentryReply, type SentryRequest } from './sentry.ts';

// The Sentry protocol: envelope bytes, the items' readers, the item dispatch. The pipeline
// that runs them is pipelines/sentry.ts.
export * from './envelope.ts';
export {
  crashIdFor,
  sentryDerivedEventId,
  sentryTime,
  sentryUserKey,
  type SentryDerivedEvent,
  type SentryItemOrigin,
} from './fields.ts';
export * from './event.ts';
export * from './sessions.ts';
export * from './transactions.ts';
export * from './client-report.ts';
export * from './items.ts';

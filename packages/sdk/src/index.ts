// @sightline/sdk: the platform-free core. Platform entry points (`/browser`, `/node`,
// `/next`) wrap it with their transport, storage and automatic instrumentation.
export {
  SightlineClient,
  type CaptureContext,
  type Consent,
  type HttpResponse,
  type Platform,
  type SightlineEvent,
  type SightlineOptions,
} from './core/client.ts';
export { privacyControls, type PrivacyControls, type PrivacyRequest } from './core/privacy.ts';
export { EventQueue, type KeyValueStore, type QueuedEvent } from './core/queue.ts';
export { backoffMs, outcomeOf, parseRetryAfter, DEFAULT_RETRY, type RetryPolicy } from './core/retry.ts';
export { FILTERED, scrub, scrubString } from './core/scrub.ts';
export { SessionTracker, type Session } from './core/session.ts';
export const SDK_NAME = '@sightline/sdk';

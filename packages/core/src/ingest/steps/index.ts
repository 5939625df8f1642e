// The ingestion steps, in pipeline order (see pipelines/ for how each endpoint runs them).
export type { DropReason, StepResult } from './result.ts';
export { authenticateSender, requireIngestKey, type CredentialPort } from './credential.ts';
export { appRefOf, resolveApp } from './app.ts';
export { checkOrigin, originOf } from './origin.ts';
export { parseBatch, parseCrash, validateEvent } from './validate.ts';
export { clampClock } from './clamp.ts';
export { sample } from './sample.ts';
export { asksNotToBeTracked, honoursDoNotTrack } from './do-not-track.ts';
export { scrubData, scrubKeysOf } from './scrub.ts';
export { keptAddress, requestFacts, withAddress } from './enrich.ts';
export { sentryDeviceId, storedDeviceId } from './hash.ts';
export { nameAndValue } from './name-and-value.ts';
export { rateLimitsFor, type IngestLimits } from './limits.ts';
export { buffered, refuse } from './append.ts';

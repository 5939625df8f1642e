import type { IngestApp, RequestFacts } from '../request.ts';
import { drop, ok, type StepResult } from './result.ts';

// Step 5, clock: device clocks are wrong. A time in the future becomes the arrival time; a
// time older than the app keeps raw events would be deleted at once, so it is dropped.

/** Step: a future time becomes the arrival time; one older than the app keeps raw events is dropped. */
export function clampClock(occurredAt: number, facts: RequestFacts, app: IngestApp): StepResult<number> {
  if (occurredAt > facts.receivedAt) return ok(facts.receivedAt);
  if (occurredAt < facts.receivedAt - app.rawEventRetentionDays * 86_400_000) return drop('too_old');
  return ok(occurredAt);
}

import type { IngestApp } from '../request.ts';
import { drop, ok, type StepResult } from './result.ts';

// Step 6, sampling: an app may keep a share of its usage events. Crashes are never sampled
// away: a crash seen once must be seen.

/** Step: the app's sampling rate; crashes are never sampled away. */
export function sample(type: string, app: IngestApp, random: () => number = Math.random): StepResult<true> {
  if (app.sampleRate >= 1 || type === 'app_crash' || type === 'lua_error') return ok(true);
  return random() < app.sampleRate ? ok(true) : drop('sampled_out');
}

import { MAX_EVENT_DATA_BYTES } from '../schemas.ts';
import { wellFormedJson } from '../sanitize.ts';
import { MAX_DATA_DEPTH, scrubValue, TooDeepError } from '../scrub.ts';
import { drop, ok, type StepResult } from './result.ts';

// Step 8, scrub: an event's data is bounded in size, cleaned of PII (emails, card numbers,
// tokens, secret-named keys and the app's own fields), and becomes the JSON text stored.

const tooLarge = (index: number, size: number): StepResult<string> =>
  drop('too_large', [
    { path: `events.${index}.data`, message: `is ${size} bytes; at most ${MAX_EVENT_DATA_BYTES} per event` },
  ]);

/** The app's own field names to filter, lower-cased once per request. */
export function scrubKeysOf(app: { scrubFields: string[] }): ReadonlySet<string> {
  return new Set(app.scrubFields.map((f) => f.toLowerCase()));
}

/** Step: the size bound, PII scrub, then the size bound again on what will be stored. */
export function scrubData(
  data: Record<string, unknown>,
  extraKeys: ReadonlySet<string>,
  index: number,
): StepResult<string> {
  // Measured before scrubbing, so the scrubber never sees more than the limit (JSON.stringify is
  // linear; the scrubber's cost grows with the text it is given).
  let raw: string;
  try {
    raw = JSON.stringify(data);
  } catch (error) {
    // JSON.parse accepts nesting that JSON.stringify recurses too deep for: the client's error.
    if (error instanceof RangeError)
      return drop('invalid', [
        { path: `events.${index}.data`, message: `data is nested deeper than ${MAX_DATA_DEPTH} levels` },
      ]);
    throw error;
  }
  if (raw.length > MAX_EVENT_DATA_BYTES) return tooLarge(index, raw.length);
  let json: string;
  try {
    const scrubbed = scrubValue(data, extraKeys);
    // Unchanged data (the common case) is the same object: its JSON is already made. PostgreSQL's
    // jsonb refuses NUL and lone surrogates: fixed here, before the 202, since this JSON travels
    // as text inside the buffered batch where the batch's own encoding cannot see it.
    json = wellFormedJson(scrubbed === data ? raw : JSON.stringify(scrubbed));
  } catch (error) {
    if (error instanceof TooDeepError)
      return drop('invalid', [{ path: `events.${index}.data`, message: error.message }]);
    throw error;
  }
  if (json.length > MAX_EVENT_DATA_BYTES) return tooLarge(index, json.length);
  return ok(json);
}

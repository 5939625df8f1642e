// PostgreSQL refuses two things a JavaScript string can hold: NUL (in text and in jsonb) and
// lone UTF-16 surrogates (jsonb refuses their `\ud800`–`\udfff` escapes). Both must go before
// the api answers 202, or an acknowledged request is refused later by the writer.
//
// They are fixed in the encoded JSON rather than by walking every value: JSON.stringify writes
// NUL as `\u0000` and every lone surrogate as a `\udXXX` escape (it never escapes a valid
// pair), so one linear scan that finds neither is the whole cost in the common case.

/** Any `\u0000` or surrogate escape, possibly preceded by an escaped backslash (checked in the slow path). */
const SUSPECT = /\\u(?:0000|d[89a-f])/i;

/**
 * Escapes read left to right, so an escaped backslash (`\\`) is consumed whole and the
 * `u0000` after it is text, not an escape. A high surrogate escape followed by a low one is a
 * valid pair (hand-written JSON may escape pairs) and is kept.
 */
const ESCAPES = /\\(?:\\|u0000|u[dD][89abAB][\da-fA-F]{2}\\u[dD][c-fC-F][\da-fA-F]{2}|u[dD][89a-fA-F][\da-fA-F]{2})/g;

const REPLACEMENT = '\\ufffd';

function fixEscape(escape: string): string {
  if (escape === '\\\\' || escape.length === 12) return escape;
  return escape === '\\u0000' ? '' : REPLACEMENT;
}

/**
 * JSON text PostgreSQL accepts: `\u0000` escapes removed, lone surrogate escapes replaced by
 * U+FFFD. Expects JSON as JSON.stringify writes it (no raw control characters); the six
 * characters `\u0000` inside a string (encoded `\\u0000`) are text and stay.
 */
export function wellFormedJson(json: string): string {
  // `includes` is a plain substring search, many times cheaper than a regex pass; `\u`
  // hardly ever occurs in ordinary telemetry (JSON.stringify escapes only control characters).
  if (!json.includes('\\u') || !SUSPECT.test(json)) return json;
  return json.replace(ESCAPES, fixEscape);
}

/** JSON.stringify, then wellFormedJson. */
export function encodeStorable(value: unknown): string {
  return wellFormedJson(JSON.stringify(value));
}

/** ES2024, in Node ≥ 20 (our engines floor); the TypeScript lib here is ES2023. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/** No NUL and no lone surrogate (V8 answers isWellFormed at once for a one-byte string). */
function isStorableText(text: string): boolean {
  return (text as WellFormedCheck).isWellFormed() && !text.includes('\0');
}

interface EventsPayload {
  o: unknown;
  e: unknown[][];
}

const isEventsPayload = (payload: unknown): payload is EventsPayload =>
  typeof payload === 'object' && payload !== null && Array.isArray((payload as { e?: unknown }).e);

/**
 * What every payload leaving the api for the buffer goes through. A buffered events batch
 * is checked field by field instead of as text: its data JSON, escaped inside the batch,
 * would make a text scan stop at every quote, and is storable already. Anything else (a
 * crash report) goes through encodeStorable. `storedField`: the index of an event field that is
 * storable already and skipped (the events codec names its data JSON, made storable by scrubData).
 */
export function encodeForBuffer(payload: unknown, storedField = -1): string {
  if (!isEventsPayload(payload)) return encodeStorable(payload);
  const json = JSON.stringify(payload);
  // JSON.stringify writes a NUL or a lone surrogate as a \u escape: without one, nothing to check.
  if (!json.includes('\\u')) return json;
  if (typeof payload.o === 'string' && !isStorableText(payload.o)) return wellFormedJson(json);
  for (const event of payload.e) {
    for (let i = 0; i < event.length; i++) {
      const field = event[i];
      if (i !== storedField && typeof field === 'string' && !isStorableText(field)) return wellFormedJson(json);
    }
  }
  return json;
}

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
  return SUSPECT.test(json) ? json.replace(ESCAPES, fixEscape) : json;
}

/** JSON.stringify, then wellFormedJson: what every payload leaving the api for the buffer goes through. */
export function encodeStorable(value: unknown): string {
  return wellFormedJson(JSON.stringify(value));
}

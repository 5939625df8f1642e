// PII scrubbing on the device, before anything leaves it: emails, card numbers (Luhn-valid),
// US social security numbers, bearer tokens and JWTs inside any string; whole values under
// secret-sounding keys and the app's `excludeFields`. The server scrubs again; this copy
// means the raw values never cross the network at all.

export const FILTERED = '[Filtered]';

const SECRET_KEY =
  /pass(word|wd)?|secret|token|api[-_]?key|authorization|^auth$|cookie|credit[-_]?card|card[-_]?number|^cvv$|^cvc$|^ssn$/i;
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
const SSN = /\b\d{3}-\d{2}-\d{4}\b/g;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// Every pattern here runs on text a page may not control: each must stay linear (eslint-plugin-regexp
// checks the super-linear rules; scrub.fuzz.test.ts times pathological inputs). EMAIL and JWT
// match every run of the characters they start with, and the rest of an email or token only
// when it follows: a match at each run's start always succeeds, so the search never restarts
// inside a run — where a plain pattern retried "aaaa…a@" from every character (73 s for 200 KB).
const EMAIL = /[\w%+.-]+(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?/g;
const JWT = /\beyJ[\w-]*(\.[\w-]{5,}\.[\w-]{5,}\b)?/g;
const MAX_DEPTH = 8;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether a string could hold anything scrubbed (most cannot: no digit, no @, no token scheme). */
const SUSPECT = /[\d@]|bearer|basic|eyJ/i;

export function scrubString(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text
    .replace(JWT, (m, rest?: string) => (rest && m.length - rest.length > 7 ? FILTERED : m))
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${FILTERED}`)
    .replace(EMAIL, (m, rest?: string) => (rest ? FILTERED : m))
    .replace(SSN, FILTERED)
    .replace(CARD, (m) => (luhn(m.replace(/[ -]/g, '')) ? FILTERED : m));
}

/** A scrubbed copy of `value`; `exclude` holds lower-cased extra keys to drop. */
export function scrub(value: unknown, exclude: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return FILTERED;
  if (Array.isArray(value)) return value.map((v) => scrub(v, exclude, depth + 1));
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    out[key] = filteredKey(key, exclude) ? FILTERED : scrub(record[key], exclude, depth + 1);
  }
  return out;
}

// Event data repeats its keys endlessly: each key is judged once.
const judged = new Map<string, boolean>();

function filteredKey(key: string, exclude: ReadonlySet<string>): boolean {
  if (exclude.size > 0 && exclude.has(key.toLowerCase())) return true;
  let secret = judged.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (judged.size < 10_000) judged.set(key, secret);
  }
  return secret;
}

/** Text for a thrown value that is not an Error (an object, a number): JSON where it can be. */
export function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

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
// checks the super-linear rules; scrub.fuzz.test.ts times pathological inputs).
const JWT_START = /\beyJ/g;
const JWT_BODY = /eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}\b/y;
const TOKEN_CHAR = /[\w-]/;
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

const EMAIL_AT = /[\w%+.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/y;
const LOCAL_RUN = /[\w%+.-]+/y;

/**
 * Every email in `text` replaced by `mask`, matching what `/[\w%+.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g`
 * matches, in linear time. That regex retried "aaaa…a@" from each character of the run
 * (quadratic: 73 s for 200 KB). A start inside a local-part run can only succeed at the run's
 * one `@`, so when it fails every later start in the run fails too: the scan skips the run.
 */
function replaceEmails(text: string, mask: string): string {
  let out = '';
  let copied = 0;
  let i = text.indexOf('@') === -1 ? text.length : 0;
  while (i < text.length) {
    EMAIL_AT.lastIndex = i;
    const email = EMAIL_AT.exec(text);
    if (email) {
      out += text.slice(copied, i) + mask;
      i = copied = i + email[0].length;
    } else {
      LOCAL_RUN.lastIndex = i;
      i = LOCAL_RUN.test(text) ? LOCAL_RUN.lastIndex : i + 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * JWTs replaced by FILTERED. A JWT may start after a "-" that is itself a token character, so
 * one regex would rescan the rest of a run like "eyJ-eyJ-eyJ-…" from every "eyJ" (quadratic).
 * A start that fails fails for the whole run (they share its end), so the scan skips the run.
 */
function scrubJwts(text: string): string {
  if (!text.includes('eyJ')) return text;
  let out = '';
  let copied = 0;
  JWT_START.lastIndex = 0;
  for (let start = JWT_START.exec(text); start; start = JWT_START.exec(text)) {
    JWT_BODY.lastIndex = start.index;
    const jwt = JWT_BODY.exec(text);
    if (jwt) {
      out += text.slice(copied, start.index) + FILTERED;
      copied = start.index + jwt[0].length;
      JWT_START.lastIndex = copied;
    } else {
      let end = start.index + 3;
      while (end < text.length && TOKEN_CHAR.test(text.charAt(end))) end++;
      JWT_START.lastIndex = end;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Whether a string could hold anything scrubbed (most cannot: no digit, no @, no token scheme). */
const SUSPECT = /[\d@]|bearer|basic|eyJ/i;

export function scrubString(text: string): string {
  if (!SUSPECT.test(text)) return text;
  const withoutTokens = scrubJwts(text).replace(BEARER, (_m, scheme: string) => `${scheme} ${FILTERED}`);
  return replaceEmails(withoutTokens, FILTERED)
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

import { AppError } from '../errors.ts';

// PII scrubbing applied to event data and crash context before anything is stored. Keys
// that name secrets lose their value; strings lose what looks like an email, a card number
// (Luhn-valid), a US SSN, an IP address or a bearer token. Cheap guards keep the common
// case — short strings with none of these — to a few character checks.

const SENSITIVE_KEY =
  /pass(word|wd)?|secret|token|api[-_]?key|authorization|^auth$|cookie|session[-_]?key|credit[-_]?card|card[-_]?number|^cvv$|^cvc$|^ssn$|private[-_]?key/i;
// Every pattern here runs on client text and must stay linear: eslint-plugin-regexp checks the
// super-linear rules, scrub.fuzz.test.ts times pathological inputs.
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;
const SSN = /\b\d{3}-\d{2}-\d{4}\b/g;
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g;
// Full form, or compressed with "::" (inside or at the end); clock times like 10:30:45 do not match.
const IPV6 =
  /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,7}(?::[0-9a-f]{1,4}){1,7}\b|\b(?:[0-9a-f]{1,4}:){1,7}:/gi;
const BEARER = /\b(bearer|token)\s+[A-Za-z0-9._~+/-]{8,}=*/gi;
const DIGITS_RUN = /\d{3}/;

export const FILTERED = '[Filtered]';
export const MAX_DATA_DEPTH = 20;

const EMAIL_AT = /[\w%+.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/y;
const LOCAL_RUN = /[\w%+.-]+/y;

/**
 * Every email in `text` replaced by `mask`, matching what `/[\w%+.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g`
 * matches, in linear time. That regex retried "aaaa…a@" from each character of the run
 * (quadratic: 73 s for 200 KB). A start inside a local-part run can only succeed at the run's
 * one `@`, so when it fails every later start in the run fails too: the scan skips the run.
 */
export function replaceEmails(text: string, mask: string): string {
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

function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function scrubString(text: string): string {
  let out = text;
  if (out.includes('@')) out = replaceEmails(out, '[email]');
  if (DIGITS_RUN.test(out)) {
    out = out.replace(CARD_CANDIDATE, (m) => (luhnValid(m) ? '[card]' : m));
    if (out.includes('-')) out = out.replace(SSN, '[ssn]');
    if (out.includes('.')) out = out.replace(IPV4, '[ip]');
  }
  if (out.includes(':') && /[0-9a-f]{1,4}:[0-9a-f]{0,4}:/i.test(out)) out = out.replace(IPV6, '[ip]');
  if (/bearer|token/i.test(out)) out = out.replace(BEARER, '$1 [token]');
  return out;
}

export class TooDeepError extends Error {}

/** scrubValue for a request field: too deep a structure is the client's error (400). */
export function scrubField(value: unknown, extraKeys: ReadonlySet<string>, path: string): unknown {
  try {
    return scrubValue(value, extraKeys);
  } catch (error) {
    if (error instanceof TooDeepError)
      throw new AppError('BAD_REQUEST', `${path}: ${error.message}`, [{ path, message: error.message }]);
    throw error;
  }
}

/**
 * `value` scrubbed. `extraKeys` (lower-case) are the app's own fields to drop. What needs no
 * scrubbing is returned as is (the same object), so a caller that already serialised `value`
 * can reuse that JSON: most event data holds nothing to scrub. Throws TooDeepError past
 * MAX_DATA_DEPTH levels of nesting.
 */
export function scrubValue(value: unknown, extraKeys: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DATA_DEPTH) throw new TooDeepError(`data is nested deeper than ${MAX_DATA_DEPTH} levels`);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const scrubbed = scrubValue(item, extraKeys, depth + 1);
      if (copy === undefined && scrubbed !== item) copy = value.slice(0, i);
      copy?.push(scrubbed);
    }
    return copy ?? value;
  }
  const entries: Array<[string, unknown]> = Object.entries(value);
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i]!;
    const scrubbed =
      SENSITIVE_KEY.test(key) || extraKeys.has(key.toLowerCase()) ? FILTERED : scrubValue(item, extraKeys, depth + 1);
    if (copy === undefined && scrubbed !== item) copy = Object.fromEntries(entries.slice(0, i));
    if (copy !== undefined) copy[key] = scrubbed;
  }
  return copy ?? value;
}

const FALLBACK = '/orgs';
// Any origin works as the base: a path is safe exactly when resolving it keeps this origin.
const BASE = 'http://portal.invalid';
// Browsers read `\` as `/` (so `/\evil.example` is `//evil.example`) and drop tabs and
// newlines from URLs (so `/\t/evil.example` is one too); none belongs in a path we send to.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/**
 * A same-origin path to go to after signing in, or the org picker: refuses other origins
 * however spelled (`//host`, `/\host`, `/%5Chost` once decoded, `https:`, `javascript:`).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || UNSAFE.test(next)) return FALLBACK;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return FALLBACK;
  }
  if (url.origin !== BASE) return FALLBACK;
  // The path itself must not decode into another origin either (`/%2F%2Fhost`, `/%5Chost`).
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return FALLBACK;
  }
  if (path.startsWith('//') || UNSAFE.test(path)) return FALLBACK;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Where to go after signing in: a same-origin path from ?next=, else the org picker. */
export function nextPath(): string {
  return safeNextPath(new URLSearchParams(window.location.search).get('next'));
}

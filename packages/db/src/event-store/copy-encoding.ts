// PostgreSQL COPY text format: tab-separated, `\N` for NULL, and backslash, tab, newline
// and carriage return escaped. NUL cannot be stored in text at all, so it is dropped.

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c] ?? '') : value;
}

export function copyNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '\\N' : String(value);
}

export function copyTime(value: Date | number): string {
  return (typeof value === 'number' ? new Date(value) : value).toISOString();
}

/** Escapes read left to right: an escaped backslash is consumed whole, so `\\u0000` (text) is not a NUL escape. */
const NUL_ESCAPES = /\\(?:\\|u0000)/g;

/**
 * JSON for a jsonb column. JSON.stringify never emits raw control characters, so only
 * backslashes need doubling; a `\u0000` escape is rejected by jsonb and is removed (the six
 * characters `\u0000` inside a string are text and stay: a blind replace broke the JSON).
 */
export function copyJson(value: unknown): string {
  let json = typeof value === 'string' ? value : JSON.stringify(value ?? {});
  if (json.includes('\\u0000')) json = json.replace(NUL_ESCAPES, (escape) => (escape === '\\u0000' ? '' : escape));
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

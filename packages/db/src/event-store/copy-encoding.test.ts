import { describe, expect, it } from 'vitest';
import { copyJson, copyNumber, copyText } from './copy-encoding.ts';

describe('COPY text encoding', () => {
  it('escapes the characters COPY treats as structure', () => {
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('plain')).toBe('plain');
  });

  it('writes NULL for missing values and non-finite numbers', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyNumber(Number.NaN)).toBe('\\N');
    expect(copyNumber(Number.POSITIVE_INFINITY)).toBe('\\N');
    expect(copyNumber(1.5)).toBe('1.5');
  });

  it('drops NUL, which PostgreSQL text and jsonb cannot hold', () => {
    expect(copyText('a\0b')).toBe('ab');
    expect(copyJson({ s: 'a\0b' })).toBe('{"s":"ab"}');
  });

  it('doubles backslashes inside JSON so escapes survive COPY', () => {
    expect(copyJson({ s: 'line\nbreak "quoted"' })).toBe('{"s":"line\\\\nbreak \\\\"quoted\\\\""}');
  });

  it('keeps the six characters \\u0000 as text and drops a NUL after a backslash', () => {
    expect(JSON.parse(copyJson({ s: 'a\\u0000b' }).replaceAll('\\\\', '\\'))).toEqual({ s: 'a\\u0000b' });
    expect(JSON.parse(copyJson({ s: 'a\\\0b' }).replaceAll('\\\\', '\\'))).toEqual({ s: 'a\\b' });
  });
});

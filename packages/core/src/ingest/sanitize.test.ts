import { describe, expect, it } from 'vitest';
import { encodeForBuffer, encodeStorable, wellFormedJson } from './sanitize.ts';

const roundTrip = (value: unknown) => JSON.parse(encodeStorable(value)) as unknown;

describe('encodeStorable', () => {
  it('replaces lone surrogates with U+FFFD and keeps valid pairs', () => {
    expect(roundTrip({ a: 'x\ud83dy', b: '\ude00', c: 'ok 😀', d: '\ud83d\ud83d\ude00' })).toEqual({
      a: 'x\ufffdy',
      b: '\ufffd',
      c: 'ok 😀',
      d: '\ufffd😀',
    });
  });

  it('strips real NULs and keeps the six characters \\u0000 and backslashes around them', () => {
    expect(roundTrip({ nul: 'a\u0000b', six: 'a\\u0000b', slashNul: 'a\\\u0000b', slashes: '\\\\u0000' })).toEqual({
      nul: 'ab',
      six: 'a\\u0000b',
      slashNul: 'a\\b',
      slashes: '\\\\u0000',
    });
  });

  it('fixes keys and nested JSON text as well', () => {
    expect(roundTrip({ ['k\u0000\ud800']: [{ x: '\udfff' }] })).toEqual({ ['k\ufffd']: [{ x: '\ufffd' }] });
  });

  it('leaves ordinary JSON untouched (the fast path)', () => {
    const json = JSON.stringify({ screen: 'home', note: 'tab\there', uni: '\u00e9\u4e2d' });
    expect(wellFormedJson(json)).toBe(json);
  });

  it('keeps escaped valid pairs in hand-written JSON', () => {
    expect(JSON.parse(wellFormedJson('"\\ud83d\\ude00 \\ud83d"'))).toBe('😀 \ufffd');
  });

  it('scans a long hostile string in linear time', () => {
    const hostile = JSON.stringify('\\'.repeat(200_000) + '\ud800'.repeat(100_000) + '\u0000'.repeat(100_000));
    const started = performance.now();
    const fixed = wellFormedJson(hostile);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(JSON.parse(fixed)).toBe('\\'.repeat(200_000) + '\ufffd'.repeat(100_000));
  });

  it('fixes the text fields of a buffered events batch and leaves a clean one as JSON.stringify wrote it', () => {
    const event = (name: string) => ['id-1', 1, 'custom', name, 'dev', null, '{"k":"\\\\u0000"}'];
    const clean = { o: 'org', a: 1, r: 2, e: [event('home')] };
    expect(encodeForBuffer(clean)).toBe(JSON.stringify(clean));
    const dirty = { o: 'org', a: 1, r: 2, e: [event('home'), event('a\ud83d\u0000b')] };
    expect(JSON.parse(encodeForBuffer(dirty))).toEqual({ ...dirty, e: [event('home'), event('a\ufffdb')] });
    expect(JSON.parse(encodeForBuffer({ crash: 'x\ud800', context: { ['\u0000']: 1 } }))).toEqual({
      crash: 'x\ufffd',
      context: { '': 1 },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { countJsonValues, newJsonScan, scanJsonChunk } from './json-scan.ts';

describe('JSON value scan', () => {
  it('counts objects, arrays and separators outside strings only', () => {
    expect(countJsonValues(Buffer.from('[{},{},{}]'))).toBe(6);
    expect(countJsonValues(Buffer.from('{"a":1,"b":[1,2]}'))).toBe(4);
    // Braces, commas and escaped quotes inside strings are text, not structure.
    expect(countJsonValues(Buffer.from('{"a":"{[,\\"]}, é"}'))).toBe(1);
  });

  it('gives the same count however the text is split into chunks', () => {
    const text = Buffer.from(JSON.stringify({ s: 'x\\"{,}[', list: [{}, [], 'a,b', { k: '\\\\' }], n: 1 }));
    const whole = countJsonValues(text);
    for (let size = 1; size <= 7; size++) {
      const state = newJsonScan();
      for (let i = 0; i < text.length; i += size) scanJsonChunk(state, text.subarray(i, i + size));
      expect(state.values, `chunks of ${size}`).toBe(whole);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILTERED, scrub, scrubString } from './scrub.ts';

// The SDK scrubs on the device, inside the host app: a page that scrubs what a visitor typed
// must not freeze. The JWT pattern took 35 s on "eyJ-"×50 000; the email one rescanned
// "aaaa…a@" from each character. (The SDK imports nothing from the server packages, so
// the generator is a small copy of @sightline/core/testing's.)

const LENGTH = 200_000;
const BUDGET_MS = 1_500;
const UNITS = [
  'a',
  '1',
  ' ',
  '\t',
  '.',
  '-',
  '_',
  '@',
  ':',
  '/',
  '=',
  '+',
  '1-',
  '1 ',
  'a@',
  'a.',
  'a@b.',
  'eyJ',
  'eyJ-',
  'eyJa.',
  'eyJaaaaa.',
  'bearer ',
  'basic ',
  'Bearer a',
  '123-45-',
  '1.1.',
  '%',
];
const SUFFIXES = ['', 'x', '@', '!', '.'];
const repeatTo = (unit: string): string => unit.repeat(Math.ceil(LENGTH / unit.length));

function expectLinear(name: string, run: () => unknown): void {
  const started = performance.now();
  run();
  const elapsed = performance.now() - started;
  expect(elapsed, `${name}: ${elapsed.toFixed(0)} ms`).toBeLessThan(BUDGET_MS);
}

const cases = UNITS.flatMap((unit) =>
  SUFFIXES.map((suffix) => ({
    name: `${JSON.stringify(unit)}×N + ${JSON.stringify(suffix)}`,
    text: repeatTo(unit) + suffix,
  })),
);

describe('the SDK scrubber is linear in its input', () => {
  it.each(cases)('scrubString: $name', ({ name, text }) => {
    expectLinear(name, () => scrubString(text));
  });

  it('scrubString on random near-misses', () => {
    const text = fc
      .record({
        prefix: fc.constantFrom('', 'a@', 'eyJ', 'bearer ', 'x '),
        unit: fc.oneof(fc.constantFrom(...UNITS), fc.string({ minLength: 1, maxLength: 4 })),
        suffix: fc.constantFrom(...SUFFIXES),
      })
      .map(({ prefix, unit, suffix }) => prefix + repeatTo(unit) + suffix);
    fc.assert(
      fc.property(text, (t) => expectLinear(JSON.stringify(t.slice(0, 40)), () => scrubString(t))),
      { numRuns: 40 },
    );
  });

  it.each(cases.slice(0, 10))('scrub of an object holding it as value and key: $name', ({ name, text }) => {
    expectLinear(name, () => scrub({ note: text, [text]: 1 }, new Set()));
  });

  it('still scrubs what it should', () => {
    const jwt = 'eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM';
    expect(scrubString(`a ${jwt} b-${jwt} c@d.io.e@f.org`)).toBe(`a ${FILTERED} b-${FILTERED} ${FILTERED}${FILTERED}`);
    expect(scrubString(`${'eyJ-'.repeat(3)}${jwt}`)).toBe(FILTERED);
    expect(scrubString('Authorization: Bearer abcdefghijk')).toBe(`Authorization: Bearer ${FILTERED}`);
  });
});

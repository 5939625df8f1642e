// Test-only (imports vitest and fast-check): core's own fuzz tests import it by path; it is
// deliberately not exported from @sightline/core/testing, which benchmarks load outside vitest.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { IngestApp, RequestFacts } from '../ingest/request.ts';

// Inputs that make backtracking code super-linear: long runs of one character class or one
// short unit, repeated separators, and near-misses (a run that almost matches, then a
// character that rejects it). Linear code handles 200 KB of any of them in milliseconds;
// quadratic code takes seconds to minutes, so a generous budget per call tells them apart
// without being a speed target.

/** Characters per generated input: the size of a hostile field (data, context, stack trace). */
export const PATHOLOGICAL_LENGTH = 200_000;
/** Per call. Generous: linear code takes a few ms here even on a busy machine. */
export const LINEAR_BUDGET_MS = 1_500;

/** Units repeated into runs: each character class our patterns use, and the separators they split on. */
export const RUN_UNITS = [
  'a',
  'A',
  '1',
  ' ',
  '\t',
  '\u00a0',
  '\n',
  '\r\n',
  ':',
  '.',
  '-',
  '_',
  '/',
  '\\',
  '@',
  '(',
  ')',
  '[',
  ']',
  '{',
  '"',
  "'",
  '`',
  ',',
  '?',
  '#',
  '%',
  '+',
  '*',
  '<',
  '=',
  '~',
  'f',
  '0x',
  '1-',
  '1.',
  '1:',
  'a:',
  'a.',
  'a@',
  'a-',
  '::',
  ':1',
  '1 ',
  'at ',
  'at a ',
  'in ',
  ': in ',
  'eyJ-',
  'eyJa.',
  '[as ',
  '-vendor',
  '/vendor',
  'bearer ',
  'token ',
  'Bearer a',
  'sentry_key=',
  ', ',
  '@a.',
  '\n    at ',
  'http://',
  'a@b.',
  '123-45-',
  '1.1.1.',
  '[C]:',
  'async*',
];

/** What surrounds a run: prefixes that make a pattern start, suffixes that make it fail late. */
export const NEAR_MISS_PREFIXES = ['', 'at a', 'a@', 'x@a.', 'bearer ', 'token ', 'main.lua:1:', 'f@', 'eyJ', '[', '"'];
export const NEAR_MISS_SUFFIXES = ['', 'x', '@', '!', ':1:2', ')', '\u0000', '1', 'a.b'];

export interface PathologicalInput {
  name: string;
  text: string;
}

const repeatTo = (unit: string, length: number): string => unit.repeat(Math.max(1, Math.ceil(length / unit.length)));

/** The named cases of issue 15 plus every run unit with a rejecting suffix. */
export function pathologicalInputs(length = PATHOLOGICAL_LENGTH): PathologicalInput[] {
  const named: PathologicalInput[] = [
    { name: "'a'×N + '@'", text: `${'a'.repeat(length)}@` },
    { name: "'at a' + ' '×N + 'x'", text: `at a${' '.repeat(length)}x` },
    { name: "':'×N", text: ':'.repeat(length) },
    { name: "'1-'×N", text: repeatTo('1-', length) },
    { name: "'bearer ' + ' '×N + '!'", text: `bearer ${' '.repeat(length)}!` },
    { name: 'nested brackets', text: `${'['.repeat(length / 2)}${']'.repeat(length / 2)}` },
    { name: 'nested parens', text: `at f ${'('.repeat(length / 2)}x:1:2${')'.repeat(length / 2)}` },
    { name: "'f@' + 'a'×N + ' '×N + 'x'", text: `f@${'a'.repeat(length / 2)}${' '.repeat(length / 2)}x` },
    { name: "'main.lua:1: in ' + ' '×N + 'x'", text: `main.lua:1: in ${' '.repeat(length)}x` },
    { name: "'main.lua:1: in function' + ' '×N + 'x'", text: `main.lua:1: in function 'f'${' '.repeat(length)}x` },
  ];
  const runs = RUN_UNITS.flatMap((unit) =>
    ['', 'x', '@', ':1'].map((suffix) => ({
      name: `${JSON.stringify(unit)}×N + ${JSON.stringify(suffix)}`,
      text: repeatTo(unit, length) + suffix,
    })),
  );
  return [...named, ...runs];
}

/** Random near-misses: a prefix, a run of a listed or random short unit, a suffix (fast-check). */
export function nearMissArbitrary(length = PATHOLOGICAL_LENGTH): fc.Arbitrary<string> {
  return fc
    .record({
      prefix: fc.constantFrom(...NEAR_MISS_PREFIXES),
      unit: fc.oneof(fc.constantFrom(...RUN_UNITS), fc.string({ minLength: 1, maxLength: 4 })),
      suffix: fc.constantFrom(...NEAR_MISS_SUFFIXES),
    })
    .map(({ prefix, unit, suffix }) => prefix + repeatTo(unit, length) + suffix);
}

/** Calls `run` and fails when it took longer than the linear-time budget. */
export function expectLinear(name: string, run: () => unknown, budgetMs = LINEAR_BUDGET_MS): void {
  const started = performance.now();
  run();
  const elapsed = performance.now() - started;
  expect(elapsed, `${name}: ${elapsed.toFixed(0)} ms`).toBeLessThan(budgetMs);
}

/** The app and request facts the ingest-path fuzz tests run their inputs through. */
export const fuzzApp: IngestApp = {
  orgId: 'org',
  appId: 1,
  bundleId: 'com.example',
  allowedOrigins: [],
  sampleRate: 1,
  ipPolicy: 'truncate',
  scrubFields: ['extra'],
  rawEventRetentionDays: 30,
};
export const fuzzFacts: RequestFacts = {
  receivedAt: Date.now(),
  ip: '203.0.113.9',
  traits: { browser: null, os: null, osVersion: null, deviceType: null, country: null },
};

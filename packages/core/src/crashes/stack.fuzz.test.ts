import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLinear, nearMissArbitrary, pathologicalInputs } from '../testing/pathological.ts';
import { fingerprintCrash, normalizeFileName, normalizeFunctionName, normalizeMessage } from './fingerprint.ts';
import { detectStackFormat, isLibraryFile, parseStackTrace } from './stack.ts';

// Stack traces and frame names are client text the worker parses on its one event loop: the
// frame patterns once took minutes on "at a" + 200 KB of spaces + "x", and every crash queued
// behind it waited. Each line format is exercised by prefixing a run with what makes the
// runtime's parser try the line.

const inputs = pathologicalInputs();
const framed = (text: string): string[] => [
  `Error: x\n    at main (/app/main.js:1:2)\n${text}`,
  `    at ${text}`,
  `    at f (${text}`,
  `f@${text}`,
  `${text}@a.js:1:2`,
  `main.lua:1: in ${text}`,
  `main.lua:1: in function 'f'${text}`,
  `${text}:1: in function 'f'`,
];

describe('stack parsing is linear in its input', () => {
  it.each(inputs)('parseStackTrace and its line formats: $name', ({ name, text }) => {
    for (const trace of framed(text)) {
      expectLinear(`${name} as ${JSON.stringify(trace.slice(0, 12))}`, () => parseStackTrace(trace));
    }
  });

  it('parseStackTrace on random near-misses, each runtime', () => {
    fc.assert(
      fc.property(nearMissArbitrary(), fc.constantFrom('    at ', 'f@', 'x.lua:1: in ', ''), (text, lead) =>
        expectLinear(JSON.stringify((lead + text).slice(0, 40)), () => parseStackTrace(lead + text)),
      ),
      { numRuns: 40 },
    );
  });

  it('a 200 KB line is not a frame, and a trace of many lines keeps at most 250 frames', () => {
    expect(parseStackTrace(`    at f (${'a'.repeat(200_000)}.js:1:2)`).frames).toEqual([]);
    const many = Array.from({ length: 20_000 }, (_, i) => `    at f${i} (/app/f.js:${i}:1)`).join('\n');
    expectLinear('20 000 frame lines', () => expect(parseStackTrace(many).frames).toHaveLength(250));
  });

  it.each(inputs)('detectStackFormat and isLibraryFile: $name', ({ name, text }) => {
    expectLinear(name, () => detectStackFormat(text));
    expectLinear(name, () => isLibraryFile(text));
    expectLinear(`${name}.js`, () => isLibraryFile(`${text}.js`));
  });
});

describe('fingerprinting is linear in its input', () => {
  it.each(inputs)('normalizers: $name', ({ name, text }) => {
    expectLinear(name, () => normalizeFunctionName(text));
    expectLinear(`${name} + ']'`, () => normalizeFunctionName(`f ${text}]`));
    expectLinear(name, () => normalizeFileName(text));
    expectLinear(name, () => normalizeMessage(text));
  });

  it.each(inputs.slice(0, 20))('fingerprintCrash of a hostile crash: $name', ({ name, text }) => {
    const frames = Array.from({ length: 250 }, () => ({
      function: text.slice(0, 500),
      file: text.slice(0, 2000),
      line: 1,
      column: 1,
    }));
    expectLinear(`${name} (trace)`, () =>
      fingerprintCrash({ crashType: text.slice(0, 200), message: text, stackTrace: `    at ${text}` }),
    );
    expectLinear(`${name} (frames)`, () =>
      fingerprintCrash({ crashType: 'Error', message: text, stackTrace: null, frames, sdkFingerprint: [text] }),
    );
  });

  it('still reads the names it should', () => {
    expect(normalizeFunctionName('Object.loadUser [as load]')).toBe('loadUser');
    expect(normalizeFunctionName('load/<*')).toBe('load');
    expect(normalizeFileName('https://x.io/static/app.3f2a9c1d.js?v=1#x')).toBe('app.js');
    expect(isLibraryFile('https://x.io/js/vendors.main.3f2a.js')).toBe(true);
    expect(isLibraryFile(`https://x.io/js/${'-vendor'.repeat(2)}-x.js`)).toBe(true);
    expect(isLibraryFile('https://x.io/js/app.js')).toBe(false);
  });
});

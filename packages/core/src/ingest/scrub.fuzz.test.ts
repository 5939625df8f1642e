import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLinear, nearMissArbitrary, pathologicalInputs, fuzzApp, fuzzFacts } from '../testing/pathological.ts';
import { clientTraits } from './enrich.ts';
import { normalizeEvents } from './pipelines/events.ts';
import { scrubData } from './steps/scrub.ts';
import { timestampSchema } from './schemas.ts';
import { scrubString, scrubValue } from './scrub.ts';

// Every function a client's text reaches on the event path, fed pathological inputs under a
// generous time budget: the email pattern once took 73 s on "aaaa…a@" (200 KB).

const inputs = pathologicalInputs();
const noKeys: ReadonlySet<string> = new Set();

const app = fuzzApp;
const facts = fuzzFacts;

describe('scrubbing is linear in its input', () => {
  it.each(inputs)('scrubString: $name', ({ name, text }) => {
    expectLinear(name, () => scrubString(text));
  });

  it('scrubString on random near-misses', () => {
    fc.assert(
      fc.property(nearMissArbitrary(), (text) =>
        expectLinear(JSON.stringify(text.slice(0, 40)), () => scrubString(text)),
      ),
      { numRuns: 40 },
    );
  });

  it.each(inputs.slice(0, 12))('scrubValue, as a value and as a key: $name', ({ name, text }) => {
    expectLinear(name, () => scrubValue({ note: text, [text]: 1, list: [text] }, noKeys));
  });

  it('still scrubs what it should', () => {
    expect(scrubString('mail a.b+c@example.com, then x@y.io.z@w.org')).toBe('mail [email], then [email][email]');
    expect(scrubString(`${'a'.repeat(1000)}@ and me@example.org`)).toBe(`${'a'.repeat(1000)}@ and [email]`);
  });
});

describe('the event pipeline refuses oversized data before scrubbing it', () => {
  it.each(inputs.slice(0, 12))('scrubData: $name', ({ name, text }) => {
    let result: ReturnType<typeof scrubData> | undefined;
    expectLinear(name, () => (result = scrubData({ note: text }, noKeys, 0)));
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('data nested deeper than JSON.stringify recurses is invalid, not a crash', () => {
    const deep = JSON.parse(`{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`) as Record<string, unknown>;
    expect(scrubData(deep, noKeys, 3)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('normalizeEvents: a batch of 500 hostile events', () => {
    const events = inputs.slice(0, 500).map((input, i) => ({
      type: i % 2 ? 'custom' : 'screen_view',
      name: input.text.slice(0, 150),
      timestamp: facts.receivedAt,
      data: { note: input.text.slice(0, 15_000), screen: 'home' },
    }));
    const batch = { app_id: 'com.example', device_id: 'device-1', events };
    expectLinear('normalizeEvents', () => normalizeEvents(batch, app, facts), 5_000);
  });
});

describe('request facts parse in linear time', () => {
  it.each(inputs.slice(0, 40))('clientTraits with a 16 KB User-Agent: $name', ({ name, text }) => {
    expectLinear(name, () => clientTraits(`Mozilla/5.0 ${text.slice(0, 16 * 1024)}`, '203.0.113.9'));
  });

  it.each(inputs.slice(0, 40))('timestamps: $name', ({ name, text }) => {
    expectLinear(name, () => timestampSchema.safeParse(text));
  });
});

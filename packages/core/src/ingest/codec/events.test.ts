import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendEventRows,
  BufferFormatError,
  decodeEventBatch,
  encodeEventBatch,
  encodeOneEventOf,
  indexOfBufferedEvent,
  toBufferedEvent,
  type BufferedBatch,
  type BufferedEventFields,
} from './events.ts';

const text = fc.option(fc.string(), { nil: null });

const fields: fc.Arbitrary<BufferedEventFields> = fc.record({
  id: fc.uuid(),
  occurredAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  type: fc.constantFrom('screen_view', 'custom', 'app_crash'),
  name: text,
  deviceId: fc.stringMatching(/^[0-9a-f]{1,64}$/),
  sessionId: text,
  userId: text,
  appVersion: text,
  environment: text,
  os: text,
  osVersion: text,
  browser: text,
  deviceModel: text,
  country: fc.option(fc.constantFrom('DE', 'FR', 'US'), { nil: null }),
  value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  data: fc.jsonValue().map((v) => JSON.stringify(v)),
});

const batches: fc.Arbitrary<BufferedBatch> = fc.record({
  o: fc.uuid(),
  a: fc.nat(),
  r: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  e: fc.array(fields.map(toBufferedEvent), { maxLength: 20 }),
});

const event = (over: Partial<BufferedEventFields> = {}) =>
  toBufferedEvent({
    id: '6f1c0c59-1b8e-4b8e-9d43-3f1f0d1a9a51',
    occurredAt: 1_700_000_000_000,
    type: 'screen_view',
    name: 'home',
    deviceId: 'device-1',
    sessionId: 's1',
    userId: null,
    appVersion: '1.0.0',
    environment: 'production',
    os: 'iOS',
    osVersion: '17',
    browser: null,
    deviceModel: null,
    country: 'DE',
    value: null,
    data: '{"plan":"pro"}',
    ...over,
  });

describe('events buffer codec', () => {
  it('decodes what it encoded, for any batch of storable text', () => {
    fc.assert(
      fc.property(batches, (batch) => {
        // -0 and a NUL or lone surrogate are what JSON and PostgreSQL change on purpose; the
        // rest must come back exactly.
        const storable = JSON.parse(JSON.stringify(batch)) as BufferedBatch;
        const encoded = encodeEventBatch(storable);
        const decoded = decodeEventBatch(encoded);
        const wellFormed = JSON.stringify(storable) === encoded.replace('{"v":1,', '{');
        if (wellFormed) expect(decoded).toEqual(storable);
        expect(decoded.e).toHaveLength(storable.e.length);
      }),
    );
  });

  it('writes a version and reads a batch from before versions the same way', () => {
    const batch: BufferedBatch = { o: 'org', a: 7, r: 1_700_000_001_000, e: [event()] };
    const encoded = encodeEventBatch(batch);
    expect(JSON.parse(encoded)).toMatchObject({ v: 1 });
    expect(decodeEventBatch(JSON.stringify(batch))).toEqual(batch);
    expect(decodeEventBatch(encoded)).toEqual(batch);
  });

  it('still fixes what PostgreSQL would refuse before the payload is buffered', () => {
    const batch: BufferedBatch = { o: 'org', a: 7, r: 1, e: [event({ name: 'a\u0000b', userId: 'x\ud800' })] };
    const [row] = decodeEventBatch(encodeEventBatch(batch)).e;
    expect(row?.[3]).toBe('ab');
    expect(row?.[6]).toBe('x\ufffd');
  });

  it('refuses a version it does not know, and entries that are not a batch, with a reason', () => {
    const newer = JSON.stringify({ v: 2, o: 'org', a: 7, r: 1, e: [] });
    expect(() => decodeEventBatch(newer)).toThrow(new BufferFormatError('buffered batch of unknown format version 2'));
    expect(() => decodeEventBatch('[1,2]')).toThrow('not a buffered batch');
    expect(() => decodeEventBatch('"text"')).toThrow('not a buffered batch');
    expect(() => decodeEventBatch(JSON.stringify({ o: 'org', a: '7', r: 1, e: [] }))).toThrow('not a buffered batch');
    expect(() => decodeEventBatch('{')).toThrow(SyntaxError);
    const short = JSON.stringify({ o: 'org', a: 7, r: 1, e: [event(), event().slice(0, 15)] });
    expect(() => decodeEventBatch(short)).toThrow('event 1 of the buffered batch is not a buffered event');
  });

  it("turns a batch into the event store's rows, every field under its own name", () => {
    fc.assert(
      fc.property(fc.array(fields, { maxLength: 5 }), (events) => {
        const rows: Parameters<typeof appendEventRows>[1] = [];
        appendEventRows({ o: 'org', a: 7, r: 99, e: events.map(toBufferedEvent) }, rows);
        expect(rows).toEqual(events.map((f) => ({ orgId: 'org', appId: 7, receivedAt: 99, ...f })));
      }),
    );
  });

  it('cuts a batch down to one event a replay can append alone', () => {
    const batch: BufferedBatch = { o: 'org', a: 7, r: 99, e: [event(), event({ id: 'e2' })] };
    const index = indexOfBufferedEvent(batch, 'e2', new Date(1_700_000_000_000));
    expect(index).toBe(1);
    expect(indexOfBufferedEvent(batch, 'e2', 5)).toBe(-1);
    expect(decodeEventBatch(encodeOneEventOf(batch, index))).toEqual({ ...batch, e: [event({ id: 'e2' })] });
  });
});

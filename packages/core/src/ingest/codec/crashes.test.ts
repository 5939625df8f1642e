import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testCrashRecord } from '../../testing/crash-record.ts';
import type { CrashRecord } from '../crash.ts';
import { decodeCrashRecord, encodeCrashRecord } from './crashes.ts';
import { BufferFormatError } from './events.ts';

const app = { orgId: '0d6f7f4e-8a8b-4a43-9a0e-6d0f0c1b2a3c', appId: 3 };
const text = fc.option(fc.string(), { nil: null });

const records: fc.Arbitrary<CrashRecord> = fc
  .record({
    source: fc.constantFrom('sightline' as const, 'sentry' as const),
    occurredAt: fc.nat(),
    deviceId: fc.string({ minLength: 1 }),
    sessionId: text,
    userId: text,
    crashType: fc.string(),
    level: fc.constantFrom('fatal', 'error', 'warning'),
    handled: fc.boolean(),
    message: text,
    stackTrace: text,
    frames: fc.option(fc.array(fc.record({ function: fc.string(), line: fc.nat() })), { nil: null }),
    sdkFingerprint: fc.option(fc.array(fc.string()), { nil: null }),
    context: fc.dictionary(fc.string(), fc.string()),
    breadcrumbs: fc.option(fc.array(fc.record({ message: fc.string() })), { nil: null }),
    tags: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: null }),
    browser: text,
    country: fc.option(fc.constantFrom('DE', 'US'), { nil: null }),
  })
  .map((extra) => testCrashRecord(app, extra));

describe('crash buffer codec', () => {
  it('decodes what it encoded, for any crash report of storable text', () => {
    fc.assert(
      fc.property(records, (record) => {
        const storable = JSON.parse(JSON.stringify(record)) as CrashRecord;
        const encoded = encodeCrashRecord(storable);
        if (encoded === JSON.stringify({ v: 1, ...storable })) expect(decodeCrashRecord(encoded)).toEqual(storable);
        else expect(decodeCrashRecord(encoded).id).toBe(storable.id);
      }),
    );
  });

  it('writes a version and reads a report from before versions, handled or not as it was then', () => {
    const record = testCrashRecord(app, { level: 'error' });
    expect(JSON.parse(encodeCrashRecord(record))).toMatchObject({ v: 1, id: record.id });
    expect(decodeCrashRecord(JSON.stringify(record))).toEqual(record);
    const { handled: _fatal, ...olderFatal } = testCrashRecord(app, { level: 'fatal' });
    expect(decodeCrashRecord(JSON.stringify(olderFatal)).handled).toBe(false);
    const { handled: _error, sdkFingerprint: _none, ...olderError } = testCrashRecord(app, { level: 'error' });
    expect(decodeCrashRecord(JSON.stringify(olderError))).toMatchObject({ handled: true, sdkFingerprint: null });
  });

  it('fixes what PostgreSQL would refuse before the report is buffered', () => {
    const record = testCrashRecord(app, { message: 'a\u0000b', context: { key: 'x\ud800' } });
    expect(decodeCrashRecord(encodeCrashRecord(record))).toMatchObject({ message: 'ab', context: { key: 'x\ufffd' } });
  });

  it('refuses a version it does not know, and what is not a crash report, naming the field', () => {
    const record = testCrashRecord(app);
    expect(() => decodeCrashRecord(JSON.stringify({ ...record, v: 2 }))).toThrow(
      new BufferFormatError('crash report of unknown format version 2'),
    );
    expect(() => decodeCrashRecord(JSON.stringify({ ...record, crashType: 5 }))).toThrow(
      /^not a crash report \(crashType: /,
    );
    expect(() => decodeCrashRecord('null')).toThrow(/^not a crash report/);
    expect(() => decodeCrashRecord('{')).toThrow(SyntaxError);
  });
});

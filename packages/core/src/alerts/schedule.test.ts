import { describe, expect, it } from 'vitest';
import { inQuietHours } from './record.ts';
import { alertRuleInput } from '../contracts/alerts.ts';

const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };

  it.each([
    ['2026-11-29T20:59:00Z', false], // 21:59 in Berlin (UTC+1 in winter)
    ['2026-11-29T21:00:00Z', true], // 22:00
    ['2026-11-30T02:30:00Z', true], // 03:30, past midnight
    ['2026-11-30T05:59:00Z', true], // 06:59
    ['2026-11-30T06:00:00Z', false], // 07:00: over
    ['2026-07-01T20:30:00Z', true], // 22:30 in summer (UTC+2)
  ])('22:00–07:00 Berlin at %s → %s', (time, quiet) => {
    expect(inQuietHours(night, at(time))).toBe(quiet);
  });

  it('handles a daytime range and no quiet hours', () => {
    const lunch = { start: '12:00', end: '13:30', timeZone: 'UTC' };
    expect(inQuietHours(lunch, at('2026-11-29T12:45:00Z'))).toBe(true);
    expect(inQuietHours(lunch, at('2026-11-29T13:30:00Z'))).toBe(false);
    expect(inQuietHours(null, at('2026-11-29T12:45:00Z'))).toBe(false);
  });
});

describe('alert rule input', () => {
  const base = { name: 'r', channelIds: ['7d0b3c52-3f2c-4a57-9d4b-0f8f5a8e3e11'] };
  const issues = (input: unknown) => {
    const parsed = alertRuleInput.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('names what each kind of rule is missing', () => {
    expect(issues({ ...base, kind: 'CRASH_SPIKE' })).toEqual([
      'conditions: a spike rule needs conditions.threshold or conditions.baselineFactor',
    ]);
    expect(issues({ ...base, kind: 'CRASH_FREE_DROP' })).toEqual([
      'conditions: a crash-free rule needs conditions.crashFreeBelow (a percentage such as 99.5)',
    ]);
    expect(issues({ ...base, kind: 'PERF_THRESHOLD', conditions: { threshold: 2500 } })).toEqual([
      'conditions: a performance rule needs conditions.eventType (such as web_vital)',
    ]);
  });

  it('rejects bad quiet hours, unknown condition fields and oversized digests', () => {
    expect(
      issues({ ...base, kind: 'NEW_CRASH_GROUP', quietHours: { start: '25:00', end: '07:00', timeZone: 'Mars/Base' } }),
    ).toEqual([
      'quietHours.start: must be a time of day as HH:MM',
      'quietHours.timeZone: must be an IANA time zone such as Europe/Berlin',
    ]);
    expect(issues({ ...base, kind: 'NEW_CRASH_GROUP', conditions: { treshold: 5 } })).toEqual([
      'conditions: Unrecognized key: "treshold"',
    ]);
    expect(issues({ ...base, kind: 'NEW_CRASH_GROUP', digestMinutes: 5000 })).toHaveLength(1);
  });

  it('fills the defaults a rule is stored with', () => {
    const rule = alertRuleInput.parse({
      ...base,
      kind: 'PERF_THRESHOLD',
      conditions: { eventType: 'web_vital', metricName: 'LCP', threshold: 2500 },
    });
    expect(rule.conditions).toMatchObject({ aggregate: 'p75', operator: 'above', windowMinutes: 60, minSamples: 20 });
    expect(rule).toMatchObject({ digestMinutes: null, quietHours: null, throttleMinutes: 60 });
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { now } from './fixtures.ts';
import { parseBatch, parseCrash, validateEvent } from './validate.ts';

describe('validation step', () => {
  it('refuses a bad batch envelope whole, naming the field', () => {
    expect(() => parseBatch({ events: [] })).toThrow(/invalid body: device_id/);
    expect(() => parseBatch(null)).toThrow(AppError);
    expect(parseBatch({ device_id: 'dev', events: [{}] }).events).toHaveLength(1);
  });

  it('drops one bad event as invalid, with the path of what is wrong', () => {
    const bad = validateEvent({ type: 'app_start' }, 3);
    expect(bad).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!bad.ok && bad.issues?.[0]?.path).toBe('events.3.timestamp');
    expect(validateEvent({ type: 'app_start', timestamp: now }, 0).ok).toBe(true);
  });

  it('refuses a crash report without its crash', () => {
    expect(() => parseCrash({ device_id: 'dev' })).toThrow(AppError);
  });
});
